// Package story tells a trace as a story for a learner (Explain, Tell):
// the steps of the request in order, with the concept each one shows.
package story
