package io.queueserver.security;

import jakarta.enterprise.context.RequestScoped;

import java.util.Set;

/** The {@link Grant} of the request being served, set by {@link ApiAccessFilter}; admin when no filter ran. */
@RequestScoped
public class RequestGrant {
    private Grant grant = Grant.ADMIN;

    public Grant get() {
        return grant;
    }

    void set(Grant grant) {
        this.grant = grant;
    }

    public boolean maySubmitTo(String context) {
        return grant.maySubmitTo(context);
    }

    /** Whether the caller may see a job of this context (its token is not limited to other contexts). */
    public boolean maySee(String context) {
        return grant.maySee(context);
    }

    /** The contexts the caller is limited to; empty when it is not limited. */
    public Set<String> contexts() {
        return grant.contexts();
    }
}
