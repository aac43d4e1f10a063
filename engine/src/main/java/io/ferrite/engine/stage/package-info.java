/**
 * stage: where user handlers run. Each stage is an Agrona {@link org.agrona.concurrent.Agent}
 * whose duty cycle reads the journal in index order, gated by the stage before it, and calls its
 * {@link io.ferrite.engine.EventHandler}. Stages are grouped onto threads by configuration
 * (fused on one thread, or one thread each), never by code.
 *
 * <p>Memory ordering: a stage publishes how far it has read (its reader's gate) and how many
 * events it has handled with release stores after its handler returned; the next stage and the
 * publishers' back-pressure check load them with acquire. So a downstream stage never sees an
 * event before the upstream handler is done with it.
 */
package io.ferrite.engine.stage;
