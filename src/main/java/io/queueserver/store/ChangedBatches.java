package io.queueserver.store;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The batches that committed transactions of this node changed (jobs created, added, ended; closed) since they were
 * last taken: what the dashboard's live batch progress reads again. A batch counts only once its transaction has
 * committed, so a read after {@link #take} sees the change.
 */
@ApplicationScoped
public class ChangedBatches {
    private static final Object KEY = ChangedBatches.class;

    @Resource
    TransactionSynchronizationRegistry registry;

    private final Set<Long> changed = ConcurrentHashMap.newKeySet();

    /** Counts the batch as changed when the running transaction commits (at once when none runs). */
    void add(long batchId) {
        if (registry.getTransactionKey() == null) {
            changed.add(batchId);
            return;
        }
        @SuppressWarnings("unchecked")
        Set<Long> pending = (Set<Long>) registry.getResource(KEY);
        if (pending == null) {
            Set<Long> ids = new HashSet<>();
            registry.putResource(KEY, ids);
            registry.registerInterposedSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                }

                @Override
                public void afterCompletion(int status) {
                    if (status == Status.STATUS_COMMITTED) {
                        changed.addAll(ids);
                    }
                }
            });
            pending = ids;
        }
        pending.add(batchId);
    }

    /** Takes at most {@code max} of the changed batches; the others stay for the next call. */
    public Set<Long> take(int max) {
        Set<Long> taken = new HashSet<>();
        for (Iterator<Long> i = changed.iterator(); i.hasNext() && taken.size() < max; ) {
            taken.add(i.next());
            i.remove();
        }
        return taken;
    }

    /** Puts back batches that were taken but could not be reported. */
    public void again(Collection<Long> batchIds) {
        changed.addAll(batchIds);
    }
}
