package io.ferrite.engine.metrics;

import io.ferrite.engine.Durability;
import io.ferrite.engine.Engine;
import io.ferrite.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The counters file as another process sees it: a real engine journaling into a temp directory
 * mirrors its counters into {@code counters.dat}, a reader maps it read-only and finds the same
 * figures, the state says running then closed, and an update allocates nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CountersFileTest {
    @TempDir
    Path dir;

    @Test
    void aRunningEngineMirrorsItsCountersAndAReaderSeesThemThenTheCleanClose() throws Exception {
        Engine engine = Engine.builder().durability(Durability.ASYNC).journal(dir)
            .stage("ingest", (event, index, endOfBatch) -> { }).build();
        MemorySegment payload = MemorySegment.ofArray(new byte[32]);
        try (CountersFileReader reader = CountersFileReader.open(dir)) {
            for (int i = 1; i <= 1_000; i++) {
                assertThat(engine.publish(1, i, i, 0, payload, 0, 32)).isNotNegative();
            }
            engine.publish(1, 1, 1, 0, payload, 0, 32); // a duplicate
            Await.until("the file shows 1,000 journaled and handled", Duration.ofSeconds(10), () -> {
                Map<String, Long> values = values(reader);
                return values.getOrDefault("ferrite_events_journaled", 0L) == 1_000
                    && values.getOrDefault("ferrite_stage_events{stage=\"ingest\"}", 0L) == 1_000;
            });
            Map<String, Long> values = values(reader);
            assertThat(values).containsEntry("ferrite_events_duplicate", 1L)
                .containsEntry("ferrite_stage_lag_events{stage=\"ingest\"}", 0L)
                .containsEntry("ferrite_dedup_ids", 1_000L)
                .containsKey("ferrite_publish_refused{reason=\"back_pressured\"}");
            assertThat(reader.state()).isEqualTo(CountersFileReader.WriterState.RUNNING);
            assertThat(reader.pid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(reader.entries()).filteredOn(e -> e.label().equals("ferrite_dedup_ids"))
                .singleElement().extracting(CountersFileReader.Entry::counter).isEqualTo(false);
            engine.close();
            assertThat(reader.state()).isEqualTo(CountersFileReader.WriterState.CLOSED);
            assertThat(values(reader)).containsEntry("ferrite_events_journaled", 1_000L);
        } finally {
            engine.close();
        }
    }

    @Test
    void anUpdateAllocatesNothingAndMetricsAddedLaterJoinTheFile() throws Exception {
        MetricRegistry registry = new MetricRegistry();
        AtomicLong source = new AtomicLong();
        registry.add(Metric.counter("ferrite_test_events", "test", source::get));
        CountersFile file = CountersFile.create(registry, dir, 4);
        try (CountersFileReader reader = CountersFileReader.open(dir)) {
            file.update();
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            for (int i = 0; i < 10_000; i++) { // warm up: compile update() before measuring
                source.incrementAndGet();
                file.update();
            }
            long fewest = Long.MAX_VALUE;
            for (int round = 0; round < 3; round++) { // the fewest of three: an allocation per update shows in every round
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 100_000; i++) {
                    source.incrementAndGet();
                    file.update();
                }
                fewest = Math.min(fewest, threads.getCurrentThreadAllocatedBytes() - before);
            }
            // one object per update would be >= 1.6 MB; a compilation or TLAB refill can leave a few KB
            assertThat(fewest).as("bytes allocated by 100,000 updates").isLessThan(100_000);
            assertThat(values(reader)).containsEntry("ferrite_test_events", 310_000L);

            registry.add(Metric.gauge("ferrite_test_depth", "test", () -> 7).withLabel("stage", "a"));
            file.update();
            assertThat(values(reader)).containsEntry("ferrite_test_depth{stage=\"a\"}", 7L);
            for (int i = 0; i < 5; i++) {
                registry.add(Metric.gauge("ferrite_test_more_" + i, "test", () -> 1));
            }
            file.update(); // beyond the file's 4 counters: the rest are left out, with a warning
            assertThat(reader.entries()).hasSize(4);
        } finally {
            file.close();
        }
    }

    @Test
    void aMissingOrForeignFileIsRefusedNamingIt() throws Exception {
        assertThatThrownBy(() -> CountersFileReader.open(dir.resolve("nowhere")))
            .hasMessageContaining("counters.dat").hasMessageContaining("no counters file");
        java.nio.file.Files.writeString(dir.resolve(CountersFile.FILE_NAME), "x".repeat(200));
        assertThatThrownBy(() -> CountersFileReader.open(dir)).hasMessageContaining("is not a Ferrite counters file");
    }

    private static Map<String, Long> values(CountersFileReader reader) {
        return reader.entries().stream().collect(Collectors.toMap(CountersFileReader.Entry::label,
            CountersFileReader.Entry::value, (a, b) -> a));
    }
}
