package io.ferrite.transport.server;

import java.util.Locale;

/**
 * What the server does with an EVENT when the engine answers BACK_PRESSURED.
 *
 * <p>Thread-safety: immutable.
 */
public enum BackpressurePolicy {
    /** Stop reading that socket until the engine has room again (TCP pushes back on the client). */
    BLOCK,
    /** Answer REJECT OVERLOADED and read on. */
    REJECT;

    public static BackpressurePolicy parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("backpressure '" + text + "' is not one of block, reject", e);
        }
    }
}
