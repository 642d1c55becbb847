package io.queueserver;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The package graph read from the compiled classes: components, arrows pointing one way, no cycles. */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void load() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.queueserver");
    }

    @Test
    void noPackageCycles() {
        slices().matching("io.queueserver.(*)..").should().beFreeOfCycles().check(classes);
    }

    /** A {@code @ConfigProperty} field without {@code @Inject} keeps its Java default: the setting is silently ignored. */
    @Test
    void configuredFieldsAreInjected() {
        fields().that().areAnnotatedWith(org.eclipse.microprofile.config.inject.ConfigProperty.class)
                .should().beAnnotatedWith(jakarta.inject.Inject.class).check(classes);
    }

    /**
     * A session bean is {@code @Dependent} to CDI unless it says otherwise, and CDI delivers each event to a new
     * instance of a dependent observer: for an EJB, a name lookup and a new business object per job event.
     */
    @Test
    void observingSessionBeansAreApplicationScoped() {
        DescribedPredicate<JavaClass> observing = DescribedPredicate.describe("observe CDI events",
                c -> c.getMethods().stream().anyMatch(m -> m.getParameters().stream()
                        .anyMatch(p -> p.isAnnotatedWith(jakarta.enterprise.event.Observes.class))));
        classes().that().areAnnotatedWith(jakarta.ejb.Singleton.class).and(observing)
                .should().beAnnotatedWith(jakarta.enterprise.context.ApplicationScoped.class).check(classes);
    }

    @Test
    void componentsOnlyUseTheOnesBelowThem() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("core").definedBy("io.queueserver.core..")
                .layer("store").definedBy("io.queueserver.store..")
                .layer("security").definedBy("io.queueserver.security..")
                .layer("workers").definedBy("io.queueserver.workers..")
                .layer("callbacks").definedBy("io.queueserver.callbacks..")
                .layer("engine").definedBy("io.queueserver.engine..")
                .layer("api").definedBy("io.queueserver.api..")
                .layer("schedules").definedBy("io.queueserver.schedules..")
                .layer("console").definedBy("io.queueserver.console..")
                .layer("ops").definedBy("io.queueserver.ops..")
                .layer("standalone").definedBy("io.queueserver.standalone..")
                .whereLayer("standalone").mayNotBeAccessedByAnyLayer()
                .whereLayer("ops").mayNotBeAccessedByAnyLayer()
                .whereLayer("console").mayNotBeAccessedByAnyLayer()
                .whereLayer("schedules").mayOnlyBeAccessedByLayers("console", "ops")
                .whereLayer("api").mayOnlyBeAccessedByLayers("schedules", "console", "ops")
                .whereLayer("engine").mayOnlyBeAccessedByLayers("api", "schedules", "console", "ops")
                .whereLayer("callbacks").mayOnlyBeAccessedByLayers("engine", "api", "schedules", "console", "ops")
                .whereLayer("workers").mayOnlyBeAccessedByLayers("callbacks", "engine", "api", "schedules", "console", "ops")
                .whereLayer("security").mayOnlyBeAccessedByLayers("workers", "callbacks", "engine", "api", "schedules",
                        "console", "ops")
                .whereLayer("store").mayOnlyBeAccessedByLayers("callbacks", "engine", "api", "schedules", "console", "ops")
                .check(classes);
    }
}
