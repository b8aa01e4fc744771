/** Every local example, run for real with the podman runtime (steps as podman pods of the local test image). */
import { defineExampleTests } from "./examples_tests.ts";

defineExampleTests("podman");
