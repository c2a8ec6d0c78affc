// Package e2e holds the end-to-end tests and benchmarks of the kiosk's path to the
// utilities: the outbox, store and journal of app/ against the utility simulator over
// loopback HTTP, including a crash test that SIGKILLs a submitting child process,
// an outage test, a proxy's 404s on the way (a request asked about again, never sent
// twice), a scan of the database file for personal data in plain text, and the
// benchmarks of docs/benchmarks.md. It has no code outside its tests.
package e2e
