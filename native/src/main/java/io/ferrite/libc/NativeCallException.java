package io.ferrite.libc;

/**
 * A libc call failed. Carries the function, its arguments, {@code errno} and {@code strerror}'s
 * text, e.g. {@code munmap(address=0x1, length=4096) failed: errno=22 (Invalid argument)}.
 *
 * <p>Thread-safety: immutable.
 */
public final class NativeCallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String function;
    private final int errno;

    NativeCallException(String function, String arguments, int errno, String errorText) {
        super(function + "(" + arguments + ") failed: errno=" + errno + " (" + errorText + ")");
        this.function = function;
        this.errno = errno;
    }

    /** The libc function that failed, e.g. {@code "mlock"}. */
    public String function() {
        return function;
    }

    /** The {@code errno} value the call left behind. */
    public int errno() {
        return errno;
    }
}
