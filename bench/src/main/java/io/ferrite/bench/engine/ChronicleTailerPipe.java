package io.ferrite.bench.engine;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * Raw Chronicle Queue peer of ASYNC durability, with a consumer: each event is one document of
 * {@value #RECORD_LENGTH} bytes (Ferrite's journal record: 48-byte header + 64-byte payload),
 * reserved with {@code writingDocument()} + {@code writeSkip} and filled by one copy to
 * {@code addressForWrite} — the way Ferrite's journal writes, minus its header stores. One tailer
 * thread reads each document at {@code addressForRead} and counts it; it yields when it finds
 * nothing (the peer of a Ferrite stage with {@code IdleKind.YIELD}). Same roll cycle (FAST_DAILY)
 * and sync mode (NONE) as Ferrite's ASYNC journal.
 *
 * <p>Thread-safety: publish from one thread; see {@link EventPipe}.
 */
final class ChronicleTailerPipe implements EventPipe {
    /** Ferrite's journal record for a 64-byte payload: 48-byte header, then the payload. */
    static final int RECORD_LENGTH = 48 + PAYLOAD_LENGTH;
    /** Where the sequence number sits in a record: the payload's first long. */
    static final int SEQUENCE_OFFSET = 48;
    /** Offset == absolute address, as Ferrite's journal does it (restricted: --enable-native-access). */
    static final MemorySegment ALL_MEMORY = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private final SingleChronicleQueue queue;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment record = arena.allocate(RECORD_LENGTH, 8);
    private final HandledCounter counter = new HandledCounter();
    private final Thread consumer;
    private volatile boolean running = true;
    /** Made on the publishing thread at its first publish (Chronicle checks appenders stay on one thread). */
    private ExcerptAppender appender;

    ChronicleTailerPipe(Path directory) {
        queue = open(directory);
        consumer = new Thread(this::consume, "chronicle-tailer");
        consumer.setDaemon(true);
        consumer.start();
    }

    /** The queue both Chronicle peers write: Ferrite's ASYNC settings. */
    static SingleChronicleQueue open(Path directory) {
        return SingleChronicleQueueBuilder.binary(directory.toFile())
            .rollCycle(RollCycles.FAST_DAILY)
            .syncMode(SyncMode.NONE)
            .build();
    }

    /** Appends one {@value #RECORD_LENGTH}-byte document: reserve, one copy from {@code record}. */
    static void append(ExcerptAppender appender, MemorySegment record) {
        try (DocumentContext dc = appender.writingDocument()) {
            Bytes<?> bytes = dc.wire().bytes();
            long position = bytes.writePosition();
            bytes.writeSkip(RECORD_LENGTH);
            MemorySegment.copy(record, 0, ALL_MEMORY, bytes.addressForWrite(position), RECORD_LENGTH);
        }
    }

    private void consume() {
        try (ExcerptTailer tailer = queue.createTailer()) {
            while (running) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (dc.isPresent()) {
                        Bytes<?> bytes = dc.wire().bytes();
                        long address = bytes.addressForRead(bytes.readPosition());
                        counter.handled(ALL_MEMORY.get(ValueLayout.JAVA_LONG_UNALIGNED, address + SEQUENCE_OFFSET));
                        continue;
                    }
                }
                Thread.yield();
            }
        }
    }

    @Override
    public void publish(long sequence) {
        if (appender == null) {
            appender = queue.createAppender();
        }
        record.set(ValueLayout.JAVA_LONG_UNALIGNED, SEQUENCE_OFFSET, sequence);
        append(appender, record);
    }

    @Override
    public long handled() {
        return counter.count();
    }

    @Override
    public void awaitHandled(long count) {
        PublisherIdle.awaitCount(counter, count);
    }

    @Override
    public void verifyAndClose(long published) {
        try {
            PublisherIdle.awaitCount(counter, published, VERIFY_TIMEOUT_NANOS);
            counter.verify("chronicle tailer", published);
        } finally {
            close();
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            consumer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (appender != null) {
            appender.close();
        }
        queue.close();
        arena.close();
    }
}
