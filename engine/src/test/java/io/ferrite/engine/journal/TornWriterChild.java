package io.ferrite.engine.journal;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * The process {@link JournalTailRecoveryTest} stops dead: appends {@code count} one-record batches,
 * then claims a batch of ten records, writes half of it, prints {@code TORN} and halts the JVM
 * (no shutdown hooks, no unmapping: what a {@code kill -9} mid-write leaves). Args: journalDir count.
 */
public final class TornWriterChild {
    private TornWriterChild() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        ChronicleJournal journal = ChronicleJournal.open(JournalConfig.of(dir));
        MemorySegment payload = MemorySegment.ofArray(new byte[64]);
        for (int i = 0; i < count; i++) {
            if (JournalTesting.append(journal, 0, i + 1, i + 1, 0, 0, 1, 0, payload, 0, 64) != i) {
                throw new IllegalStateException("append " + i + " failed");
            }
        }
        int recordLength = JournalRecord.HEADER_LENGTH + 64;
        JournalClaim claim = new JournalClaim();
        if (journal.claim(10, 10 * JournalBatch.recordBytes(recordLength), 1, claim) != 0) {
            throw new IllegalStateException("claim failed");
        }
        long at = claim.recordsOffset();
        for (int i = 0; i < 5; i++) {
            JournalBatch.recordLength(claim.memory(), at, recordLength);
            JournalRecord.writeHeader(claim.memory(), at + JournalBatch.RECORD_LENGTH_PREFIX, 0, 1000 + i, 1000 + i, 0, 0,
                1, 0);
            at += JournalBatch.recordBytes(recordLength);
        }
        System.out.println("TORN");
        System.out.flush();
        Runtime.getRuntime().halt(137);
    }
}
