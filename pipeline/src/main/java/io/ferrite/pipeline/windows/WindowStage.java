package io.ferrite.pipeline.windows;

import io.ferrite.concurrent.Progress;
import io.ferrite.engine.EventHandler;
import io.ferrite.engine.Engine;
import io.ferrite.engine.EventView;
import io.ferrite.engine.journal.ChronicleJournal;
import io.ferrite.engine.journal.ChronicleJournalReader;
import io.ferrite.pipeline.JsonField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A window stage ({@code use: window}): counts the events its route matches per group (key or
 * type) in tumbling or sliding windows of event time, with the sum, min, max, mean and
 * percentiles of a payload field; a window closes once the newest timestamp seen passes its end
 * by the grace, and then each group's figures go to the sink ({@code emit:}). An event later than
 * that is counted as late and left out. State lives off the heap in a {@link WindowTable} of
 * fixed size.
 *
 * <p>Crashes: with a durable journal the stage keeps {@code state/windows-NAME.state}: the oldest
 * journal index in a window still open, and the last window emitted. After a restart it reads the
 * journal from there up to where the engine resumes it, so the open windows are whole again, and
 * emits no window it emitted before (one closed between that file's last write and the crash is
 * emitted again, with the same id).
 *
 * <p>While no event comes ({@link #onIdle()}) it refreshes what {@code GET /windows} shows.
 *
 * <p>Thread-safety: the stage thread; {@link #view()} and the figures from any thread.
 */
public final class WindowStage implements EventHandler {
    private static final Logger LOG = LoggerFactory.getLogger(WindowStage.class);
    private static final long VIEW_EVERY_NANOS = 1_000_000_000L;
    private static final int VIEW_GROUPS = 20;

    private final WindowSpec spec;
    private final int panes;
    private final int ring;
    private final JsonField field;
    private final Path journalDirectory;
    private final Path directory;
    private volatile Engine engine;
    private final WindowTable.Aggregate aggregate;
    private final EventView replayed = new EventView();
    /** Per ring place: the pane there and the first journal index that went into it. */
    private final long[] paneAt;
    private final long[] paneFirstIndex;
    private final Progress events = new Progress(0);
    private final Progress late = new Progress(0);
    private final Progress closed = new Progress(0);
    private final Progress groups = new Progress(0);
    private WindowTable table;
    private WindowSink sink;
    private WindowState state;
    private long watermark = Long.MIN_VALUE;
    /** The last window (by its last pane) emitted. */
    private long lastClosed = Long.MIN_VALUE;
    /** The newest timestamp at which another window closes (Long.MIN_VALUE: at the first event). */
    private long nextCloseAt = Long.MIN_VALUE;
    private boolean rebuilding;
    private boolean started;
    private long nextViewNanos;
    private volatile WindowsView view;

    /**
     * @param journalDirectory the durable journal (state kept in its state/), or null
     * @param directory        where a relative emit file starts
     */
    public WindowStage(WindowSpec spec, Path journalDirectory, Path directory) {
        this.spec = spec;
        this.panes = spec.panesPerWindow();
        this.ring = panes + (int) ((spec.graceNanos() + spec.slideNanos() - 1) / spec.slideNanos()) + 1;
        this.field = spec.field() == null ? null : JsonField.locator(spec.field());
        this.journalDirectory = journalDirectory;
        this.directory = directory;
        this.aggregate = new WindowTable.Aggregate(spec.percentiles());
        this.paneAt = new long[ring];
        this.paneFirstIndex = new long[ring];
        java.util.Arrays.fill(paneAt, Long.MIN_VALUE);
    }

    @Override
    public void onStart() {
        table = new WindowTable(spec.maxGroups(), ring, spec.field() != null, spec.percentiles());
        sink = WindowSink.of(spec.emit(), directory, () -> engine);
        if (journalDirectory != null) {
            state = new WindowState(journalDirectory.resolve("state").resolve("windows-" + spec.name() + ".state"));
            if (state.exists()) {
                lastClosed = state.lastClosed();
                watermark = state.watermark();
                nextCloseAt = lastClosed == Long.MIN_VALUE ? Long.MIN_VALUE
                    : Math.multiplyExact(lastClosed + 2, spec.slideNanos()) + spec.graceNanos();
            }
        }
        view = buildView(System.nanoTime());
    }

    @Override
    public void onEvent(EventView event, long index, boolean endOfBatch) {
        if (!started) {
            started = true;
            if (state != null && state.exists() && state.replayFrom() < index) {
                rebuild(state.replayFrom(), index);
            }
        }
        take(event, index);
        if (endOfBatch) {
            afterBatch(System.nanoTime());
        }
    }

    @Override
    public void onIdle() {
        if (table != null) {
            afterBatch(System.nanoTime());
        }
    }

    private void afterBatch(long now) {
        if (now - nextViewNanos >= 0) {
            view = buildView(now);
            nextViewNanos = now + VIEW_EVERY_NANOS;
        }
    }

    private void take(EventView event, long index) {
        long time = event.timestampNanos();
        if (time > watermark) {
            watermark = time;
            if (time >= nextCloseAt) { // a window's end plus the grace passed
                closeWindows();
            }
        }
        long pane = Math.floorDiv(time, spec.slideNanos());
        if (lastClosed != Long.MIN_VALUE && pane + panes - 1 <= lastClosed) {
            if (!rebuilding) {
                late.incrementRelease(); // every window it belongs to was emitted already
            }
            return;
        }
        int entry = table.entryOf(spec.byKey() ? event.key() : Integer.toUnsignedLong(event.type()));
        if (!table.add(entry, pane, value(event))) {
            if (!rebuilding) {
                late.incrementRelease();
            }
            return;
        }
        int place = (int) Math.floorMod(pane, (long) ring);
        if (paneAt[place] != pane) {
            paneAt[place] = pane;
            paneFirstIndex[place] = index;
            saveState(); // a pane begins (once a slide): a restart must read back from its first event
        }
        if (!rebuilding) {
            events.incrementRelease();
        }
    }

    /** The field's value in the payload, or NaN (count only, or not a number). */
    private double value(EventView event) {
        if (field == null) {
            return Double.NaN;
        }
        MemorySegment memory = event.memory();
        long start = field.valueStart(memory, event.payloadOffset(), event.payloadLength());
        return start < 0 ? Double.NaN : Numbers.parse(memory, start, event.payloadOffset() + event.payloadLength());
    }

    /** Emits every window the watermark closed (its end plus the grace at or before it). */
    private void closeWindows() {
        long closable = Math.floorDiv(watermark - spec.graceNanos(), spec.slideNanos()) - 1;
        if (lastClosed != Long.MIN_VALUE && closable <= lastClosed) {
            return;
        }
        long first = lastClosed == Long.MIN_VALUE ? closable - ring - panes : lastClosed + 1;
        first = Math.max(first, closable - ring - panes); // older windows hold no pane the ring still has
        for (long window = first; window <= closable; window++) {
            long last = window;
            table.forEachEntry(entry -> {
                if (table.sum(entry, last - panes + 1, last, aggregate)) {
                    emit(entry, last);
                }
            });
        }
        lastClosed = closable;
        nextCloseAt = Math.multiplyExact(lastClosed + 2, spec.slideNanos()) + spec.graceNanos();
        long oldestLive = closable - panes + 2;
        table.dropBefore(table.nearlyFull() ? oldestLive : oldestLive - 2L * ring); // quiet groups go; busy ones stay
        groups.setRelease(table.groups());
        sink.flush();
        saveState();
    }

    private void saveState() {
        if (state != null && !rebuilding) {
            long oldestLive = lastClosed == Long.MIN_VALUE ? Long.MIN_VALUE : lastClosed - panes + 2;
            state.write(replayFrom(oldestLive), lastClosed, watermark);
        }
    }

    private void emit(int entry, long lastPane) {
        if (rebuilding && state != null && state.exists() && lastPane <= state.lastClosed()) {
            return; // emitted before the restart
        }
        sink.emit(closedWindow(entry, lastPane));
        closed.incrementRelease();
    }

    private ClosedWindow closedWindow(int entry, long lastPane) {
        boolean values = aggregate.max >= aggregate.min;
        boolean percentiles = aggregate.histogram != null && aggregate.histogram.getTotalCount() > 0;
        return new ClosedWindow(spec.name(), spec.byKey() ? "key" : "type", entry == table.other ? null : table.groupOf(entry),
            (lastPane - panes + 1) * spec.slideNanos(), (lastPane + 1) * spec.slideNanos(), aggregate.count,
            values ? aggregate.sum : Double.NaN, values ? aggregate.min : Double.NaN, values ? aggregate.max : Double.NaN,
            percentiles ? aggregate.histogram.getValueAtPercentile(50) : Double.NaN,
            percentiles ? aggregate.histogram.getValueAtPercentile(95) : Double.NaN,
            percentiles ? aggregate.histogram.getValueAtPercentile(99) : Double.NaN);
    }

    /** The oldest journal index in a pane still open (where a rebuild starts). */
    private long replayFrom(long oldestLive) {
        long from = Long.MAX_VALUE;
        for (int place = 0; place < ring; place++) {
            if (paneAt[place] != Long.MIN_VALUE && paneAt[place] >= oldestLive) {
                from = Math.min(from, paneFirstIndex[place]);
            }
        }
        return from;
    }

    /** After a restart: the events of the open windows before where the engine resumed us. */
    private void rebuild(long from, long to) {
        LOG.info("window {}: reading journal indexes {}..{} back into the windows still open", spec.name(), from, to - 1);
        rebuilding = true;
        try (ChronicleJournal journal = ChronicleJournal.openToRead(journalDirectory.resolve("events"));
             ChronicleJournalReader reader = journal.newReader(false)) {
            reader.moveTo(from);
            while (reader.gate() < to) {
                if (reader.read((memory, offset, length, index, endOfBatch) -> {
                    replayed.wrap(memory, offset, length);
                    if (routeMatches != null && routeMatches.test(replayed)) {
                        take(replayed, index);
                    }
                }, to, 4_096) == 0) {
                    break;
                }
            }
        } finally {
            rebuilding = false;
        }
    }

    /** Which events the stage's route gives it (a rebuild reads the journal itself). */
    private java.util.function.Predicate<EventView> routeMatches;

    /** The engine that {@code emit: type:N} publishes closed windows into (set once it is built). */
    public void publishInto(Engine engine) {
        this.engine = engine;
    }

    /** Stages: the route, for a rebuild. */
    public void routeFilter(java.util.function.Predicate<EventView> route) {
        this.routeMatches = route;
    }

    /** The newest window still open, its top groups by count (built on the stage thread once a second). */
    private WindowsView buildView(long now) {
        if (watermark == Long.MIN_VALUE) {
            return new WindowsView(spec, Long.MIN_VALUE, 0, 0, List.of(), 0, late.getAcquire(), closed.getAcquire(),
                table.overflowed(), System.currentTimeMillis());
        }
        long last = Math.floorDiv(watermark, spec.slideNanos());
        PriorityQueue<ClosedWindow> top = new PriorityQueue<>(Comparator.comparingLong(ClosedWindow::count));
        long[] totals = {0, 0};
        table.forEachEntry(entry -> {
            if (table.sum(entry, last - panes + 1, last, aggregate)) {
                totals[0] += aggregate.count;
                totals[1]++;
                if (top.size() < VIEW_GROUPS || aggregate.count > top.peek().count()) {
                    top.add(closedWindow(entry, last));
                    if (top.size() > VIEW_GROUPS) {
                        top.poll();
                    }
                }
            }
        });
        List<ClosedWindow> groupsShown = new ArrayList<>(top);
        groupsShown.sort(Comparator.comparingLong(ClosedWindow::count).reversed());
        return new WindowsView(spec, watermark, totals[0], totals[1], groupsShown, table.groups(), late.getAcquire(),
            closed.getAcquire(), table.overflowed(), System.currentTimeMillis());
    }

    @Override
    public void onClose() {
        if (table != null) {
            saveState();
        }
        if (sink != null) {
            sink.flush();
            sink.close();
        }
        if (table != null) {
            table.close();
        }
    }

    public String name() {
        return spec.name();
    }

    /** What {@code GET /windows} shows (any thread). */
    public WindowsView view() {
        return view;
    }

    public long events() {
        return events.getAcquire();
    }

    public long late() {
        return late.getAcquire();
    }

    public long closed() {
        return closed.getAcquire();
    }

    public long groups() {
        return groups.getAcquire();
    }

    /** Events counted in "other" because max-groups were kept apart already (racy read of the stage's count). */
    public long overflowed() {
        return table == null ? 0 : table.overflowed();
    }
}
