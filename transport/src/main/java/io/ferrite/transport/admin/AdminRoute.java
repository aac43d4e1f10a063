package io.ferrite.transport.admin;

/**
 * One admin endpoint: answers a request. It runs on a thread of its own (a virtual thread), never
 * on the admin event loop, so it may block for as long as its job takes (a profile runs for
 * minutes) while other endpoints keep answering.
 *
 * <p>Thread-safety: may be called from several threads at once.
 */
@FunctionalInterface
public interface AdminRoute {
    AdminResponse handle(AdminRequest request) throws Exception;
}
