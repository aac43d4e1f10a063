package io.ferrite.transport.server;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Test helper: counts the ByteBuf leaks Netty's {@link ResourceLeakDetector} finds. Sets the level to
 * PARANOID (every buffer tracked) and listens on the detector every {@link ByteBuf} allocation uses
 * ({@code AbstractByteBuf.leakDetector}, reached by reflection because it is package-private and made
 * when the class loads — possibly by an earlier test in the same JVM, too late for a custom
 * {@code ResourceLeakDetectorFactory}). A deliberate "canary" leak proves the detector is live: its
 * report must arrive, and any other report is a real leak.
 *
 * <p>Thread-safety: install, collect and uninstall on the test thread; the listener from any thread.
 */
final class LeakCounter implements ResourceLeakDetector.LeakListener {
    private static final String CANARY = "plantCanaryLeak";

    private final ResourceLeakDetector<?> detector;
    private final ResourceLeakDetector.Level previousLevel;
    private final List<String> reports = new ArrayList<>();
    private boolean canaryPlanted;

    private LeakCounter(ResourceLeakDetector<?> detector, ResourceLeakDetector.Level previousLevel) {
        this.detector = detector;
        this.previousLevel = previousLevel;
    }

    static LeakCounter install() throws ReflectiveOperationException {
        ResourceLeakDetector.Level previous = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        Field field = AbstractByteBuf.class.getDeclaredField("leakDetector");
        field.setAccessible(true);
        ResourceLeakDetector<?> detector = (ResourceLeakDetector<?>) field.get(null);
        LeakCounter counter = new LeakCounter(detector, previous);
        detector.setLeakListener(counter);
        return counter;
    }

    @Override
    public void onLeak(String resourceType, String records) {
        synchronized (reports) {
            reports.add(resourceType + ": " + records);
        }
    }

    /** Leaks one small buffer on purpose; {@link #collect} waits until it is reported. */
    void plantCanaryLeak() {
        System.out.println("LeakCounter: a deliberate canary LEAK report follows (it proves detection works)");
        ByteBuf canary = PooledByteBufAllocator.DEFAULT.directBuffer(16);
        canary.writeLong(0xCA_4A_21L);
        canaryPlanted = true;
    }

    /**
     * Runs GC and tracked allocations (each polls the detector's reference queue) until the canary is
     * reported, then a few rounds more so late reports arrive too.
     *
     * @return every report other than the canary's
     */
    List<String> collect(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int roundsAfterCanary = 0;
        while (roundsAfterCanary < 5) {
            System.gc();
            for (int i = 0; i < 256; i++) {
                PooledByteBufAllocator.DEFAULT.directBuffer(64).release();
                PooledByteBufAllocator.DEFAULT.heapBuffer(64).release();
            }
            if (!canaryPlanted || canaryReported()) {
                roundsAfterCanary++;
            } else if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("the canary leak was not reported within " + timeout
                    + ": leak detection is not working, so a clean result would mean nothing");
            }
        }
        synchronized (reports) {
            return reports.stream().filter(r -> !r.contains(CANARY)).toList();
        }
    }

    private boolean canaryReported() {
        synchronized (reports) {
            return reports.stream().anyMatch(r -> r.contains(CANARY));
        }
    }

    void uninstall() {
        detector.setLeakListener(null);
        ResourceLeakDetector.setLevel(previousLevel);
    }
}
