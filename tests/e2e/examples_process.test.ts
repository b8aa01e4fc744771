/** Every local example, run for real with the process runtime (steps as host processes). */
import { defineExampleTests } from "./examples_tests.ts";

defineExampleTests("process");
