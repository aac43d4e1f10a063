/**
 * Panama FFM downcalls to the C library: memory locking and advice, anonymous mappings,
 * the current CPU and the page size. Nothing else lives here.
 *
 * <p>Every call that can fail captures {@code errno} through
 * {@link java.lang.foreign.Linker.Option#captureCallState(String...)} and turns a failure into a
 * {@link io.ferrite.libc.NativeCallException} naming the function, its arguments and
 * {@code strerror}'s text. Check {@link io.ferrite.libc.LibC#availability()} before relying on
 * any of it on an unknown platform.
 *
 * <p>Thread-safety: every method is stateless and safe to call from any thread.
 */
package io.ferrite.libc;
