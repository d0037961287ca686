package cmdline

// LogOrigin is the transparency log's name, the first line of every
// checkpoint: the sender signs under it and tocsin verify checks it.
const LogOrigin = "tocsin-log"
