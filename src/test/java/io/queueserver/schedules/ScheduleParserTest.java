package io.queueserver.schedules;

import io.queueserver.api.JobSpecParser;
import io.queueserver.core.InvalidField;
import io.queueserver.core.Json;
import io.queueserver.workers.HttpWorker;
import io.queueserver.workers.Workers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The body of PUT /schedules/{name}: defaults, and every refusal naming its field. */
class ScheduleParserTest {
    private static final String JOB = "'job':{'context':'reports','command':{'type':'http','url':'https://app.example/r'}}";
    private final ScheduleParser parser = new ScheduleParser(new JobSpecParser(
            new Workers(List.of(new HttpWorker(300, 65536))), 1));

    private Schedule parse(String name, String body) {
        return parser.parse(name, Json.createReader(new java.io.StringReader(body.replace('\'', '"'))).readValue());
    }

    @Test
    void defaultsAreUtcAllowRunOnceAndACapOf100() {
        Schedule s = parse("nightly", "{'cron':'30 2 * * *'," + JOB + "}");
        assertEquals("UTC", s.cron().zone().getId());
        assertEquals(Overlap.ALLOW, s.overlap());
        assertEquals(Missed.RUN_ONCE, s.missed());
        assertEquals(100, s.missedCap());
        assertNull(s.startAt());
        assertFalse(s.paused());
        assertEquals("reports", s.job().context());
        assertEquals("https://app.example/r", s.job().payload().getJsonObject("command").getString("url"));
    }

    @Test
    void everyFieldIsRead() {
        Schedule s = parse("a.b_c-1", "{'cron':'0 */5 * * * *','timezone':'Europe/Berlin','overlap':'cancel_previous',"
                + "'missed':'run_all','missed_cap':7,'start_at':'2030-01-01T00:00:00+01:00','end_at':'2031-01-01T00:00:00Z',"
                + "'paused':true," + JOB + "}");
        assertEquals(Overlap.CANCEL_PREVIOUS, s.overlap());
        assertEquals(Missed.RUN_ALL, s.missed());
        assertEquals(7, s.missedCap());
        assertEquals(Instant.parse("2029-12-31T23:00:00Z"), s.startAt());
        assertTrue(s.paused());
    }

    @Test
    void whatAGetAnswerAddsIsIgnoredSoItCanBeSentBack() {
        Schedule s = parse("n", "{'name':'n','state':'active','next_fire_times':[],'runs':[],'cron':'@daily'," + JOB + "}");
        assertEquals("@daily", s.cron().expression());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{'cron':'* * *'," + JOB + "}|cron",
            "{'cron':'99 * * * *'," + JOB + "}|cron",
            "{'cron':'0 0 31 2 *'," + JOB + "}|cron",
            "{" + JOB + "}|cron",
            "{'cron':5," + JOB + "}|cron",
            "{'cron':'@daily','timezone':'Mars/Olympus'," + JOB + "}|timezone",
            "{'cron':'@daily','timezone':'europe/berlin'," + JOB + "}|timezone",
            "{'cron':'@daily','timezone':'+02:00'," + JOB + "}|timezone",
            "{'cron':'@daily','overlap':'queue'," + JOB + "}|overlap",
            "{'cron':'@daily','missed':'all'," + JOB + "}|missed",
            "{'cron':'@daily','missed_cap':0," + JOB + "}|missed_cap",
            "{'cron':'@daily','missed_cap':1001," + JOB + "}|missed_cap",
            "{'cron':'@daily','start_at':'tomorrow'," + JOB + "}|start_at",
            "{'cron':'@daily','start_at':'2030-01-02T00:00:00Z','end_at':'2030-01-01T00:00:00Z'," + JOB + "}|end_at",
            "{'cron':'@daily','paused':'maybe'," + JOB + "}|paused",
            "{'cron':'@daily','overlapp':'skip'," + JOB + "}|overlapp",
            "{'cron':'@daily'}|job",
            "{'cron':'@daily','job':{'command':{'type':'http','url':'ftp://x'}}}|job.command.url",
            "{'cron':'@daily','job':{'command':{'type':'nope'}}}|job.command.type",
            "{'cron':'@daily','job':{'priority':'high','command':{'type':'http','url':'https://a.example/'}}}|job.priority",
            "{'cron':'@daily','job':{'run_at':'2030-01-01T00:00:00Z','command':{'type':'http','url':'https://a.example/'}}}|job.run_at",
            "{'cron':'@daily','job':{'unique_key':'k','command':{'type':'http','url':'https://a.example/'}}}|job.unique_key",
            "{'cron':'@daily','job':{'schedule':'x','command':{'type':'http','url':'https://a.example/'}}}|job.schedule",
            "{'cron':'@daily','name':'other'," + JOB + "}|name",
            "[]|body"})
    void refusalsNameTheField(String body, String field) {
        InvalidField e = assertThrows(InvalidField.class, () -> parse("n", body));
        assertEquals(field, e.field(), e.getMessage());
        assertEquals(400, e.status());
    }

    @ParameterizedTest
    @CsvSource({"''", "-lead", "with space", "slash/name", "ümlaut"})
    void badNamesAreRefused(String name) {
        assertEquals("name", assertThrows(InvalidField.class, () -> parse(name, "{'cron':'@daily'," + JOB + "}")).field());
    }

    @Test
    void aDeclarationIsAnObjectOfSchedulesByNameAndANameIsDeclaredOnce() {
        java.util.Map<String, jakarta.json.JsonObject> into = new java.util.LinkedHashMap<>();
        ScheduleDefaults.declarations("file", "{\"a\":{\"cron\":\"@daily\"},\"b\":{}}", into);
        assertEquals(List.of("a", "b"), List.copyOf(into.keySet()));
        IllegalStateException twice = assertThrows(IllegalStateException.class,
                () -> ScheduleDefaults.declarations("QUEUE_SCHEDULES", "{\"a\":{}}", into));
        assertTrue(twice.getMessage().contains("'a'"), twice.getMessage());
        assertThrows(IllegalStateException.class, () -> ScheduleDefaults.declarations("x", "[1]", into));
        assertThrows(IllegalStateException.class, () -> ScheduleDefaults.declarations("x", "{\"c\":1}", into));
        assertEquals(ScheduleDefaults.digest(into.get("a")), ScheduleDefaults.digest(Json.parse("{\"cron\":\"@daily\"}")));
    }
}
