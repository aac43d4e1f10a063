/**
 * concurrent: how Ferrite's threads tell each other how far they got.
 *
 * <h2>Memory ordering, once for every user</h2>
 * Progress between threads is published through {@link io.ferrite.concurrent.Progress}: the
 * writer first writes whatever the progress covers (a journal record, a ring slot, a frame), then
 * stores the new value with {@code setRelease} (or {@code incrementRelease}); a reader loads it
 * with {@code getAcquire} and may then read everything covered by the value it saw. That
 * release/acquire pair is the only happens-before edge a hand-off needs: no locks, no full fences.
 * A value many threads advance (a shared tail or a free-list head) is changed only with
 * {@code compareAndSet}, which is a full fence. {@code getPlain} is for the single writer reading
 * back its own value.
 */
package io.ferrite.concurrent;
