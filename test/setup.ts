// Loaded by mocha before any test (.mocharc.json): a too-old Node stops the run with how to get a supported one.
import { assertSupportedNode } from "../components/node-version";

assertSupportedNode();
