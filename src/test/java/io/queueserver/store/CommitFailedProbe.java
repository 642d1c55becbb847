package io.queueserver.store;

/** A commit failure of unknown outcome, as the store raises it. */
public final class CommitFailedProbe {
    private CommitFailedProbe() {
    }

    public static CommitFailed unknown() {
        return new CommitFailed("no answer while committing", "08007", null, true);
    }
}
