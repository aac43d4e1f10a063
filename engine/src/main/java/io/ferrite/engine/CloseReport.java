package io.ferrite.engine;

import java.util.Map;

/**
 * What {@link Engine#closeAndReport()} did: whether every published event was handled by every
 * stage before the stages stopped, and if not, how many each stage left (those are journaled in
 * ASYNC/SYNC mode and are handled after the next start, from the stage's checkpoint).
 *
 * @param drained     true when nothing was left unprocessed
 * @param published   the journal's next index at close: events journaled, ever (MEMORY: since the start)
 * @param unprocessed per stage name, events published but not handled by it
 */
public record CloseReport(boolean drained, long published, Map<String, Long> unprocessed) {
}
