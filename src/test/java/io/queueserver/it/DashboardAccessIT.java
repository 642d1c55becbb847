package io.queueserver.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard on the secured server (QUEUE_API_TOKENS), in Chromium, signed in with the token as the Basic
 * password: it shows what the token may do and hides what it may not.
 */
class DashboardAccessIT extends DeployedServerTest {
    static final String ADMIN = "it-token-0123456789abcdef";
    static final String READER = "it-reader-token-0123456789";
    static final String MAILING = "it-mailing-token-0123456789";

    @RegisterExtension
    static final Browser browser = Browser.open();


    @AfterAll
    static void close() {
        browser.close();
    }

    private long job(String context) {
        Api admin = new Api(Api.local(base), ADMIN);
        return admin.add("{\"context\":\"" + context + "\",\"delay\":3600,\"command\":{\"type\":\"http\",\"url\":"
                + "\"https://example.com/\"}}");
    }

    /** Opens the job's page as the token; returns which of the page's controls are shown. */
    @SuppressWarnings("unchecked")
    private List<String> shownControls(String token, long jobId) {
        // signed in once with the credentials in the URL, the browser keeps them for the origin; the page itself is
        // then opened without them (a page whose URL holds credentials may not fetch from it)
        browser.driver.get("http://dashboard:" + token + "@127.0.0.1:" + base.getPort() + "/management/access");
        browser.driver.get("http://127.0.0.1:" + base.getPort() + "/management/#/jobs/" + jobId);
        browser.await("the job page", d -> browser.js("return document.body.dataset.scope") != null
                && Boolean.TRUE.equals(browser.js("const v = document.getElementById('job-view');"
                + " return !!v && !v.hidden")));
        return (List<String>) browser.js("return ['new-job', 'retry-all', 'nav-queues',"
                + " ...[...document.querySelectorAll('#job-view [data-action]')].map(b => b.dataset.action)]"
                + ".filter(id => { const e = document.getElementById(id)"
                + " || document.querySelector(\"#job-view [data-action='\" + id + \"']\"); return e && !e.hidden; })");
    }

    @Test
    void eachTokenSeesOnlyTheControlsItMayUse() {
        long mailing = job("mailing");
        List<String> admin = shownControls(ADMIN, mailing);
        assertTrue(admin.containsAll(List.of("new-job", "retry-all", "nav-queues", "cancel", "delete")), admin.toString());

        List<String> reader = shownControls(READER, mailing);
        assertEquals(List.of("nav-queues"), reader, "a read token sees no control that changes anything");
        assertEquals("read", browser.js("return document.body.dataset.scope"));

        List<String> submitter = shownControls(MAILING, mailing);
        assertTrue(submitter.contains("new-job"), submitter.toString());
        assertFalse(submitter.contains("nav-queues"), "limits span every context: hidden from a token limited to some");
        assertFalse(submitter.contains("cancel") || submitter.contains("delete") || submitter.contains("retry-all"),
                submitter.toString());
        assertTrue(browser.byId("scope").getText().contains("mailing"), browser.byId("scope").getText());
    }
}
