/**
 * client: the Java FWP/1 client ({@link io.ferrite.client.FerriteClient}). It depends on the
 * protocol and the progress type only: a program that publishes to a Ferrite server pulls in
 * neither Netty nor Chronicle nor the engine.
 *
 * <p>Threads: one publisher thread per client encodes EVENT frames into an off-heap
 * {@link io.ferrite.client.OutboundRing} and writes them to a blocking socket
 * ({@code flush}); one reader thread per client parses ACK, REJECT, ERROR and PONG frames in
 * place and releases acknowledged frames. A reconnect runs on the reader thread, the resend of
 * un-ACKed frames on a short-lived thread of its own.
 *
 * <p>Memory ordering — the pairing rules, written once:
 * <ul>
 *   <li>The publisher writes a frame, its end position ({@code frameEnds[c]}) and whatever the
 *       caller stored for correlationId {@code c} (a future, a send time) with plain stores, then
 *       publishes {@code publishedCorrelationId = c} and {@code publishedTail} with release
 *       stores (each a {@link io.ferrite.concurrent.Progress}). The reader loads {@code publishedCorrelationId} with acquire before it reads
 *       anything indexed by an ACKed or REJECTed correlationId; a flusher on another thread
 *       loads {@code publishedTail} with acquire before writing bytes below it.</li>
 *   <li>The reader releases frames with a release store of {@code head} followed by a volatile
 *       store of {@code ackedCorrelationId} (volatile so that a waiter in
 *       {@code awaitAcked} is never missed). The publisher loads both with acquire before it
 *       reuses ring bytes or per-correlationId slots; so everything the reader did with a slot
 *       (including the ACK listener's own plain stores) happens before the slot is reused.</li>
 *   <li>The socket, the {@code sent} position and the current connection are guarded by the
 *       client's write lock, held by {@code flush}, the resend and the reconnect.</li>
 * </ul>
 */
package io.ferrite.client;
