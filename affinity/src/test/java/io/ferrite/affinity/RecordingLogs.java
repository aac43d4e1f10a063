package io.ferrite.affinity;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Test-only SLF4J provider (found through {@code META-INF/services}) that keeps every event at
 * DEBUG and above, so tests can assert what was logged, and echoes it to stderr, which Surefire
 * keeps in the test's output file.
 *
 * <p>Thread-safety: safe from any thread.
 */
public final class RecordingLogs implements SLF4JServiceProvider {

    /** One logged event, message already formatted. */
    record Event(Level level, String logger, String message) {
    }

    private static final Queue<Event> EVENTS = new ConcurrentLinkedQueue<>();

    private final Map<String, Logger> loggers = new ConcurrentHashMap<>();
    private final ILoggerFactory loggerFactory = name -> loggers.computeIfAbsent(name, RecordingLogger::new);
    private final IMarkerFactory markerFactory = new BasicMarkerFactory();
    private final MDCAdapter mdcAdapter = new NOPMDCAdapter();

    /** Every event recorded so far, oldest first. */
    static List<Event> events() {
        return List.copyOf(EVENTS);
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return loggerFactory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markerFactory;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdcAdapter;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
    }

    private static final class RecordingLogger extends LegacyAbstractLogger {
        RecordingLogger(String name) {
            this.name = name;
        }

        @Override
        public boolean isTraceEnabled() {
            return false;
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
                                                   Throwable throwable) {
            String message = MessageFormatter.basicArrayFormat(pattern, arguments);
            EVENTS.add(new Event(level, name, message));
            System.err.println("[" + level + "] " + name + " - " + message);
            if (throwable != null) {
                throwable.printStackTrace(System.err);
            }
        }
    }
}
