package io.queueserver.security;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.Set;

/**
 * The {@link Grant} of the request being served on this thread, set by {@link ApiAccessFilter} around the rest of the
 * request's chain (the resource methods run inside it; they check the grant before a request is suspended); admin
 * where no filter ran. A thread rather than a request-scoped bean holds it: creating such a bean for every request
 * cost a twentieth of a single submit's CPU.
 */
@ApplicationScoped
public class RequestGrant {
    private static final ThreadLocal<Grant> CURRENT = new ThreadLocal<>();

    /** This thread's request is served with {@code grant} until {@link #leave()}. */
    static void enter(Grant grant) {
        CURRENT.set(grant);
    }

    static void leave() {
        CURRENT.remove();
    }

    public Grant get() {
        Grant grant = CURRENT.get();
        return grant == null ? Grant.ADMIN : grant;
    }

    public boolean maySubmitTo(String context) {
        return get().maySubmitTo(context);
    }

    /** Whether the caller may see a job of this context (its token is not limited to other contexts). */
    public boolean maySee(String context) {
        return get().maySee(context);
    }

    /** The contexts the caller is limited to; empty when it is not limited. */
    public Set<String> contexts() {
        return get().contexts();
    }
}
