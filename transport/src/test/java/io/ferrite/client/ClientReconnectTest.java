package io.ferrite.client;

import io.ferrite.engine.journal.ChronicleJournal;
import io.ferrite.engine.journal.JournalConfig;
import io.ferrite.engine.journal.JournalReader;
import io.ferrite.engine.journal.JournalRecord;
import io.ferrite.engine.journal.JournalTesting;
import io.ferrite.testing.Await;
import io.ferrite.transport.node.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reconnect and resend against the real server, checked in its journal: each eventId is journaled
 * exactly once. First with events the server journaled but whose ACKs never arrived (a proxy
 * swallows them, then cuts the connection), so the resend must be deduplicated; then with the
 * server and its engine stopped mid-stream and started again on the same port and directory.
 */
class ClientReconnectTest {
    private static final int COUNT = 20_000;
    private static final long EVENT_ID_BASE = 1_000_000;

    @TempDir
    Path dir;

    @Test
    void eventsJournaledButNeverAckedAreResentAndDeduplicated() throws Exception {
        int half = 5_000;
        RecordingListener listener = new RecordingListener();
        try (TestNode server = TestNode.async(dir, 0)) {
            try (AckDroppingProxy proxy = new AckDroppingProxy(server.port());
                 FerriteClient client = FerriteClient.connect(ClientConfig.builder("127.0.0.1", proxy.port())
                     .reconnect(true, Duration.ofMillis(1), Duration.ofMillis(20)).build(), listener)) {
                publishRange(client, 1, half);
                assertThat(client.awaitAcked(half, Duration.ofSeconds(30))).isTrue();

                proxy.swallowServerBytes = true;
                publishRange(client, half + 1, 2 * half);
                Await.until("the server journaled and handled all " + 2 * half, Duration.ofSeconds(30),
                    () -> server.handled() == 2 * half, () -> "handled " + server.handled());
                assertThat(client.lastAcked()).isEqualTo(half);
                proxy.cutConnections();
                proxy.swallowServerBytes = false;

                assertThat(client.awaitAcked(2 * half, Duration.ofSeconds(30))).isTrue();
                assertThat(client.reconnects()).isEqualTo(1);
            }
            assertThat(listener.reconnects).containsExactly(new RecordingListener.Resend(half + 1, 2 * half));
            assertThat(listener.acks.getLast()).as("the resent last event is a duplicate: index 0")
                .isEqualTo(new RecordingListener.Ack(2 * half, 0));
            assertThat(server.server().counters().duplicates()).isEqualTo(half);
            assertThat(server.handled()).isEqualTo(2 * half);
        }
        assertJournaledOnce(2 * half);
    }

    private static void publishRange(FerriteClient client, int first, int last) {
        for (int i = first; i <= last; i++) {
            long result;
            while ((result = client.publish(1, i % 32, EVENT_ID_BASE + i, 0, new byte[16])) == ClientResult.BACK_PRESSURED) {
                client.flush();
                Thread.yield();
            }
            assertThat(result).isEqualTo(i);
            if (i % 50 == 0) {
                client.flush();
            }
        }
        client.flush();
    }

    @Test
    void restartedServerGetsUnackedEventsAgainAndJournalsEachOnce() throws Exception {
        TestNode first = TestNode.async(dir, 0);
        int port = first.port();
        ClientConfig config = ClientConfig.builder("127.0.0.1", port)
            .reconnect(true, Duration.ofMillis(5), Duration.ofMillis(100)).build();
        RecordingListener listener = new RecordingListener();
        AtomicReference<FerriteClient> clientRef = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong published = new AtomicLong();
        CountDownLatch killNow = new CountDownLatch(1);
        CountDownLatch restarted = new CountDownLatch(1);
        boolean[] allAcked = new boolean[1];

        // The single producer: half the events, then a burst while the server is being killed,
        // then the rest while it is down or restarting (they wait in the window).
        Thread producer = Thread.ofPlatform().name("producer").start(() -> {
            try (Arena arena = Arena.ofConfined();
                 FerriteClient client = FerriteClient.connect(config, listener)) {
                clientRef.set(client);
                MemorySegment payload = arena.allocate(64);
                for (int i = 1; i <= COUNT; i++) {
                    long result;
                    while ((result = client.publish(1, i % 32, EVENT_ID_BASE + i, 0, payload, 0, 64))
                        == ClientResult.BACK_PRESSURED) {
                        client.flush();
                        Thread.yield();
                    }
                    if (result != i) {
                        throw new AssertionError("publish " + i + " returned " + ClientResult.describe(result));
                    }
                    published.set(i);
                    if (i % 50 == 0) {
                        client.flush();
                    }
                    if (i == COUNT / 2) {
                        client.flush();
                        client.awaitAcked(COUNT / 4, Duration.ofSeconds(30));
                        killNow.countDown(); // events COUNT/4.. may be in flight now
                    }
                    if (i == COUNT * 3 / 4) {
                        restarted.await(60, TimeUnit.SECONDS);
                    }
                }
                client.flush();
                allAcked[0] = client.awaitAcked(COUNT, Duration.ofSeconds(60));
            } catch (Throwable e) {
                failure.set(e);
            }
        });

        assertThat(killNow.await(60, TimeUnit.SECONDS)).isTrue();
        first.close();
        TestNode second;
        try {
            second = TestNode.async(dir, port);
        } finally {
            restarted.countDown();
        }
        try {
            producer.join(TimeUnit.SECONDS.toMillis(120));
            assertThat(producer.isAlive()).isFalse();
            assertThat(failure.get()).isNull();
            assertThat(allAcked[0]).isTrue();
            FerriteClient client = clientRef.get();
            assertThat(client.reconnects()).isGreaterThanOrEqualTo(1);
            assertThat(client.lastAcked()).isEqualTo(COUNT);
            assertThat(listener.reconnects).isNotEmpty();
            assertThat(listener.rejects).isEmpty();
            assertThat(listener.acks).extracting(RecordingListener.Ack::correlationId).isSorted().doesNotHaveDuplicates();
        } finally {
            second.close();
        }

        System.out.printf("restart: reconnects=%s, ACKs naming a duplicate=%d%n", listener.reconnects,
            listener.acks.stream().filter(ack -> ack.journalIndex() == 0).count());
        assertJournaledOnce(COUNT);
    }

    private void assertJournaledOnce(int count) {
        List<Long> duplicates = new ArrayList<>();
        Set<Long> journaled = new HashSet<>();
        try (ChronicleJournal journal = ChronicleJournal.open(JournalConfig.of(dir.resolve("events")));
             JournalReader reader = journal.newReader(false)) {
            JournalTesting.readAll(reader, (memory, offset, length, index, endOfBatch) -> {
                long id = JournalRecord.eventId(memory, offset);
                if (!journaled.add(id)) {
                    duplicates.add(id);
                }
            });
        }
        assertThat(duplicates).as("eventIds journaled twice").isEmpty();
        assertThat(journaled).hasSize(count);
        assertThat(journaled).allSatisfy(id -> assertThat(id).isBetween(EVENT_ID_BASE + 1, EVENT_ID_BASE + count));
    }
}
