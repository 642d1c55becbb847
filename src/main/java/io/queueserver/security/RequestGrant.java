package io.queueserver.security;

import jakarta.enterprise.context.RequestScoped;

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
}
