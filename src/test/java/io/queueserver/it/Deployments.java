package io.queueserver.it;

import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;

import java.io.File;

/** The WAR that Maven built, deployed at the root context so that the original's URLs work. */
final class Deployments {
    private Deployments() {
    }

    static WebArchive queueServer() {
        File war = new File(System.getProperty("queue.war", "target/queue-server.war"));
        return ShrinkWrap.create(WebArchive.class, "ROOT.war")
                .merge(ShrinkWrap.createFromZipFile(WebArchive.class, war));
    }
}
