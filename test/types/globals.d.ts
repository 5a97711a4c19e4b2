// The browser tests run under Mocha's BDD globals (`describe`, `it`, hooks), which
// @web/test-runner injects; tsconfig has `types: []`, so they are pulled in here.
/// <reference types="mocha" />
