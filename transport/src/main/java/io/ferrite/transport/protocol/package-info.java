/**
 * protocol: FWP/1 (PROTOCOL.md) as constants, codes and frame writers. Frames are read in place
 * by the server's {@code io.ferrite.transport.server.FrameDecoder} and by the client; nothing here
 * makes an object per frame.
 */
package io.ferrite.transport.protocol;
