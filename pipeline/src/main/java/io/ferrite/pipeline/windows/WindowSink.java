package io.ferrite.pipeline.windows;

import io.ferrite.engine.Engine;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Where closed windows go ({@code emit:}): a file of JSON lines, the log, a Kafka topic (keyed by the
 * window's id; idempotent producer, acks=all), or the journal itself as events of a type the
 * stages after can route on (eventId from the window's id, so the dedup window drops a repeat).
 *
 * <p>Thread-safety: the window stage's thread.
 */
interface WindowSink extends AutoCloseable {
    Logger LOG = LoggerFactory.getLogger(WindowSink.class);

    void emit(ClosedWindow window);

    /** After a run of windows closed together. */
    default void flush() {
    }

    @Override
    default void close() {
    }

    /**
     * The sink {@code emit} names.
     *
     * @param directory where a relative file name starts
     * @param engine    the engine, for {@code type:N} (asked at the first window, once the engine runs)
     */
    static WindowSink of(String emit, Path directory, Supplier<Engine> engine) {
        if (emit.equals("log")) {
            return window -> {
                if (LOG.isInfoEnabled()) { // no JSON made for a log that drops it
                    LOG.info("window {}", window.json());
                }
            };
        }
        if (emit.startsWith("kafka:")) {
            String target = emit.substring("kafka:".length());
            return new Kafka(target.substring(0, target.indexOf('/')), target.substring(target.indexOf('/') + 1));
        }
        if (emit.startsWith("type:")) {
            return new Journal(Integer.parseUnsignedInt(emit.substring("type:".length())), engine);
        }
        String file = emit.startsWith("file:") ? emit.substring("file:".length()) : emit;
        return new JsonLines(directory.resolve(file));
    }

    /** Appends each window as a JSON line. */
    final class JsonLines implements WindowSink {
        private final Path file;
        private final BufferedWriter out;

        JsonLines(Path file) {
            this.file = file;
            try {
                this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the windows file " + file + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void emit(ClosedWindow window) {
            try {
                out.write(window.json());
                out.newLine();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write to " + file + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void flush() {
            try {
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write to " + file + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            try {
                out.close();
            } catch (IOException e) {
                LOG.warn("closing {}: {}", file, e.toString());
            }
        }
    }

    /** Produces each window to a topic, keyed by its id. */
    final class Kafka implements WindowSink {
        private final KafkaProducer<String, String> producer;
        private final String topic;

        Kafka(String bootstrap, String topic) {
            this.topic = topic;
            this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.CLIENT_ID_CONFIG, "ferrite-windows"),
                new StringSerializer(), new StringSerializer());
        }

        @Override
        public void emit(ClosedWindow window) {
            producer.send(new ProducerRecord<>(topic, window.id(), window.json()), (metadata, error) -> {
                if (error != null) {
                    LOG.warn("window {} not produced to {}: {}", window.id(), topic, error.toString());
                }
            });
        }

        @Override
        public void close() {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** Publishes each window into the journal as an event of {@code type}, key = the group. */
    final class Journal implements WindowSink {
        private static final long GIVE_UP_NANOS = 30_000_000_000L;
        private final int type;
        private final Supplier<Engine> engine;

        Journal(int type, Supplier<Engine> engine) {
            this.type = type;
            this.engine = engine;
        }

        @Override
        public void emit(ClosedWindow window) {
            Engine target = engine.get();
            if (target == null) {
                throw new IllegalStateException("window " + window.window() + ": emit: type:" + type + " needs the engine");
            }
            byte[] json = window.json().getBytes(StandardCharsets.UTF_8);
            long id = eventId(window.id());
            long deadline = System.nanoTime() + GIVE_UP_NANOS;
            while (target.publish(type, window.group() == null ? -1 : window.group(), id, 0, MemorySegment.ofArray(json), 0,
                json.length) < 0) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("window " + window.id() + ": the journal took no event for 30 s");
                }
                LockSupport.parkNanos(100_000); // back-pressure: the stages after catch up
            }
        }

        /** FNV-1a of the id, never 0 (0 means "no dedup"). */
        private static long eventId(String id) {
            long hash = 0xcbf29ce484222325L;
            for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
                hash = (hash ^ b) * 0x100000001b3L;
            }
            return hash == 0 ? 1 : hash;
        }
    }
}
