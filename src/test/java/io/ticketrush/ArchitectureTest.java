package io.ticketrush;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.util.ArrayList;
import java.util.List;

/** The layering docs/design.md describes ("Layers"), checked on the compiled main classes at every build. */
@AnalyzeClasses(packages = "io.ticketrush", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    /**
     * The packages under {@code io.ticketrush}, top floor first. A package may use the packages of the floors below
     * its own, never one above nor one beside it on its floor.
     */
    static final List<List<String>> FLOORS = List.of(
            List.of("web", "health", "fairness"),
            List.of("purchase", "sale"),
            List.of("queue", "identity", "order"),
            List.of("stock"),
            List.of("archive", "cluster"),
            List.of("redis"),
            List.of("model", "concurrent"));

    /** The top floor: the only code that knows HTTP. */
    static final String HTTP = "io.ticketrush.web..";

    @ArchTest
    static final ArchRule packagesDependDownwardOnly = floors();

    @ArchTest
    static final ArchRule everyClassIsOnAFloor = classes()
            .should()
            .resideInAnyPackage(FLOORS.stream()
                    .flatMap(List::stream)
                    .map(ArchitectureTest::packageOf)
                    .toArray(String[]::new))
            .because("a new package takes its floor in ArchitectureTest.FLOORS and docs/design.md");

    @ArchTest
    static final ArchRule packagesFormNoCycle =
            slices().matching("io.ticketrush.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule onlyWebKnowsHttp = noClasses()
            .that()
            .resideOutsideOfPackage(HTTP)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("jakarta.servlet..", HTTP)
            .because("below web, code says what happened and web says which status that is");

    private static ArchRule floors() {
        LayeredArchitecture layers =
                layeredArchitecture().consideringOnlyDependenciesInLayers().withOptionalLayers(true);
        for (List<String> floor : FLOORS) {
            for (String name : floor) {
                layers = layers.layer(name).definedBy(packageOf(name));
            }
        }
        List<String> above = new ArrayList<>();
        for (List<String> floor : FLOORS) {
            for (String name : floor) {
                layers = above.isEmpty()
                        ? layers.whereLayer(name).mayNotBeAccessedByAnyLayer()
                        : layers.whereLayer(name).mayOnlyBeAccessedByLayers(above.toArray(String[]::new));
            }
            above.addAll(floor);
        }
        return layers;
    }

    private static String packageOf(String name) {
        return "io.ticketrush." + name + "..";
    }
}
