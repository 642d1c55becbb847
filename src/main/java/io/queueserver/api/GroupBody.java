package io.queueserver.api;

import io.queueserver.core.InvalidField;
import io.queueserver.core.JobSpec;
import io.queueserver.core.Json;
import io.queueserver.core.JsonFields;
import io.queueserver.core.ParentOutputs;
import io.queueserver.store.BatchStore.Dependency;
import io.queueserver.store.JobEnds;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The body of {@code POST /batches} and {@code POST /workflows}: {@code {"jobs": [...], "context": ..., "on_success":
 * {...}, "on_complete": {...}, "on_failure": {...}, "open": false}}, and of one job's {@code depends_on}: names of jobs
 * of the same request or ids of existing jobs, each optionally {@code {"job": "a", "on_failure": "skip"}}. Every
 * refusal names its field: unknown names, cycles, placeholders naming no dependency, bad callbacks.
 */
record GroupBody(String context, boolean open, JsonObject callbacks, List<JobSpec> specs, List<String> names,
                 List<List<Dependency>> dependencies) {
    static final int MAX_JOBS = 10_000;
    private static final List<String> FIELDS = List.of("jobs", "context", "open", "on_success", "on_complete",
            "on_failure");

    static GroupBody parse(JsonValue body, JobSpecParser parser, TraceContext trace, boolean workflow) {
        if (!(body instanceof JsonObject object)) {
            throw new InvalidField("body", "must be an object: {\"jobs\": [...]}");
        }
        for (String name : object.keySet()) {
            if (!FIELDS.contains(name) || workflow && name.equals("open")) {
                throw new InvalidField(name, "is not a field of a " + (workflow ? "workflow" : "batch") + " ("
                        + String.join(", ", FIELDS.stream().filter(f -> !workflow || !f.equals("open")).toList()) + ")");
            }
        }
        JsonFields f = new JsonFields(object, "");
        String context = f.plainString("context", "default", 100);
        boolean open = f.bool("open", false);
        JsonObjectBuilder callbacks = Json.createObjectBuilder();
        for (String event : List.of("on_success", "on_complete", "on_failure")) {
            JsonFields c = f.nested(event);
            if (c != null) {
                parser.callback(c);
                callbacks.add(event, c.object());
            }
        }
        if (!(object.get("jobs") instanceof JsonArray jobs) || (jobs.isEmpty() && !open) || jobs.size() > MAX_JOBS) {
            throw new InvalidField("jobs", "must be a list of 1 to " + MAX_JOBS + " jobs" + (workflow ? ""
                    : " (an open batch may start empty)"));
        }
        List<String> names = names(jobs, workflow);
        List<JobSpec> specs = new ArrayList<>(jobs.size());
        List<List<Dependency>> dependencies = new ArrayList<>(jobs.size());
        for (int i = 0; i < jobs.size(); i++) {
            String path = "jobs[" + i + "]";
            JobSpec spec = parser.parse(jobs.get(i), path, trace);
            refuseUnique(spec, path);
            specs.add(spec);
            dependencies.add(workflow ? dependencies(jobs.getJsonObject(i), path, names) : noDependencies(jobs, i));
        }
        refuseCycles(dependencies, names);
        return new GroupBody(context, open, callbacks.build(), specs, names, dependencies);
    }

    /** A single job's {@code depends_on} (POST /jobs): ids of existing jobs only. */
    static List<Dependency> dependencies(JsonObject job, String path) {
        return dependencies(job, path, List.of());
    }

    private static List<Dependency> noDependencies(JsonArray jobs, int i) {
        refuseDependencies(jobs.get(i), "jobs[" + i + "]");
        return List.of();
    }

    /** Where jobs cannot depend on each other (a batch, POST /jobs with a list, /jobs/add). */
    static void refuseDependencies(JsonValue job, String path) {
        if (job instanceof JsonObject o && o.containsKey("depends_on")) {
            throw new InvalidField((path.isEmpty() ? "" : path + ".") + "depends_on", "is taken by POST /workflows, and"
                    + " by POST /jobs for one job");
        }
    }

    private static void refuseUnique(JobSpec spec, String path) {
        if (spec.unique() != null) {
            throw new InvalidField(path + ".unique", "unique keys are not taken in batches and workflows: a"
                    + " duplicate would not be the batch's job");
        }
    }

    private static List<String> names(JsonArray jobs, boolean workflow) {
        List<String> names = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < jobs.size(); i++) {
            String field = "jobs[" + i + "].name";
            JsonValue name = jobs.get(i) instanceof JsonObject o ? o.get("name") : null;
            if (name == null) {
                if (workflow) {
                    throw new InvalidField(field, "is required: the name other jobs of the workflow depend on");
                }
                names.add(null);
                continue;
            }
            if (!(name instanceof JsonString s) || !ParentOutputs.NAME.matcher(s.getString()).matches()
                    || s.getString().matches("\\d+")) {
                throw new InvalidField(field, "must be 1 to 100 letters, digits, '_', '.' or '-', not only digits");
            }
            if (!seen.add(s.getString())) {
                throw new InvalidField(field, "'" + s.getString() + "' names another job of this request too");
            }
            names.add(s.getString());
        }
        return names;
    }

    private static List<Dependency> dependencies(JsonObject job, String path, List<String> names) {
        JsonValue value = job.get("depends_on");
        List<Dependency> deps = new ArrayList<>();
        if (value == null) {
            checkPlaceholders(job, path, deps);
            return deps;
        }
        if (!(value instanceof JsonArray list) || list.size() > 100) {
            throw new InvalidField(path + ".depends_on", "must be a list of up to 100 job names or ids");
        }
        for (int j = 0; j < list.size(); j++) {
            String field = path + ".depends_on[" + j + "]";
            JsonValue entry = list.get(j);
            int policy = JobEnds.FAIL;
            if (entry instanceof JsonObject o) {
                policy = policy(o, field);
                entry = o.get("job");
                if (entry == null) {
                    throw new InvalidField(field + ".job", "is required: the name or id of the job depended on");
                }
            }
            if (entry instanceof JsonNumber n && n.isIntegral() && n.longValue() > 0) {
                deps.add(new Dependency(-1, n.longValue(), Long.toString(n.longValue()), policy));
            } else if (entry instanceof JsonString s && names.contains(s.getString())) {
                deps.add(new Dependency(names.indexOf(s.getString()), 0, s.getString(), policy));
            } else {
                throw new InvalidField(field, entry instanceof JsonString s ? "unknown job '" + s.getString()
                        + "': not a name of this request" : "must be a job name of this request or an existing job's id");
            }
        }
        checkPlaceholders(job, path, deps);
        return deps;
    }

    private static int policy(JsonObject dependency, String field) {
        for (String name : dependency.keySet()) {
            if (!name.equals("job") && !name.equals("on_failure")) {
                throw new InvalidField(field + "." + name, "is not a field of a dependency (job, on_failure)");
            }
        }
        String policy = new JsonFields(dependency, field).plainString("on_failure", "fail", 16);
        return switch (policy) {
            case "fail" -> JobEnds.FAIL;
            case "skip" -> JobEnds.SKIP;
            case "continue" -> JobEnds.CONTINUE;
            default -> throw new InvalidField(field + ".on_failure", "must be fail, skip or continue");
        };
    }

    /** Every placeholder names a dependency; exec's {@code cmd} string takes none (it is split into arguments). */
    private static void checkPlaceholders(JsonObject job, String path, List<Dependency> deps) {
        JsonValue command = job.get("command");
        for (String name : ParentOutputs.names(command)) {
            if (deps.stream().noneMatch(d -> d.name().equals(name))) {
                throw new InvalidField(path + ".command", "__PARENT_OUTPUT__{" + name + "} names no job this one"
                        + " depends on");
            }
        }
        if (command instanceof JsonObject c && c.get("cmd") instanceof JsonString cmd
                && ParentOutputs.uses(cmd.getString())) {
            throw new InvalidField(path + ".command.cmd", "may not hold __PARENT_OUTPUT__ (a value would be split"
                    + " into several arguments): put it in args");
        }
    }

    /** A cycle among the request's jobs is refused, naming a job on it. */
    private static void refuseCycles(List<List<Dependency>> dependencies, List<String> names) {
        int n = dependencies.size();
        int[] waiting = new int[n];
        Map<Integer, List<Integer>> children = new HashMap<>();
        for (int i = 0; i < n; i++) {
            for (Dependency d : dependencies.get(i)) {
                if (d.index() >= 0) {
                    waiting[i]++;
                    children.computeIfAbsent(d.index(), k -> new ArrayList<>()).add(i);
                }
            }
        }
        Deque<Integer> ready = new ArrayDeque<>();
        for (int i = 0; i < n; i++) {
            if (waiting[i] == 0) {
                ready.add(i);
            }
        }
        int ordered = 0;
        while (!ready.isEmpty()) {
            int i = ready.poll();
            ordered++;
            for (int child : children.getOrDefault(i, List.of())) {
                if (--waiting[child] == 0) {
                    ready.add(child);
                }
            }
        }
        if (ordered < n) {
            for (int i = 0; i < n; i++) {
                if (waiting[i] > 0) {
                    throw new InvalidField("jobs[" + i + "].depends_on", "job '" + names.get(i) + "' is on a cycle of"
                            + " dependencies, or waits for one, so it could never run");
                }
            }
        }
    }
}
