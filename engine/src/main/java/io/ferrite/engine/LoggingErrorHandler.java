package io.ferrite.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The default {@link ErrorHandler}: counts every error and logs each distinct one (stage, exception
 * type, message) once, with its stack trace; repeats are only counted.
 *
 * <p>Thread-safety: thread-safe.
 */
public final class LoggingErrorHandler implements ErrorHandler {
    private static final Logger LOG = LoggerFactory.getLogger(LoggingErrorHandler.class);

    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final LongAdder errors = new LongAdder();

    @Override
    public void onError(String stage, long index, Throwable error) {
        errors.increment();
        String signature = stage + '|' + error.getClass().getName() + '|' + error.getMessage();
        if (seen.add(signature)) {
            LOG.error("stage {} handler failed at journal index {} (further identical errors are counted, not logged)",
                stage, index, error);
        }
    }

    /** Errors reported so far. */
    public long errors() {
        return errors.sum();
    }

    /** Distinct errors logged so far. */
    public int distinctErrors() {
        return seen.size();
    }
}
