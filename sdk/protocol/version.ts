/** The wire-protocol version. The SDK sends it in `hello`; the host refuses any other. */
export const PROTOCOL_VERSION = 1;
