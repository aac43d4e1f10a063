/**
 * protocol: FWP/1, the wire contract between Ferrite's server and any client (docs/protocol.md),
 * as one codec. Every frame kind has one flyweight here, with its offset constants and an ASCII
 * layout: {@link io.ferrite.protocol.FrameHeader} for the 8 bytes every frame starts with, then
 * one class per body ({@link io.ferrite.protocol.HelloFrame}, {@link io.ferrite.protocol.WelcomeFrame},
 * {@link io.ferrite.protocol.EventFrame}, {@link io.ferrite.protocol.AckFrame},
 * {@link io.ferrite.protocol.RejectFrame}, {@link io.ferrite.protocol.ErrorFrame},
 * {@link io.ferrite.protocol.PingFrame}). Each reads its fields in place from a
 * {@link java.lang.foreign.MemorySegment} (no object per frame) and encodes whole frames into one.
 * What makes a frame malformed, and which {@link io.ferrite.protocol.ErrorCode} answers it, is
 * decided here too ({@code check} methods), so the server and every client agree on it.
 *
 * <p>Every integer is little-endian; strings are UTF-8. Nothing here depends on Netty, the engine
 * or any library.
 */
package io.ferrite.protocol;
