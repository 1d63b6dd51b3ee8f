package simnet_test

import (
	"context"
	"fmt"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/tracer"
)

// Load a world, trace a request from a browser, and read where it broke.
func ExampleParse() {
	w, err := simnet.Parse("tiny.yaml", []byte(`
name: tiny
internet:
  clients: [{name: laptop, ip: 198.51.100.7, resolver: dns}]
  resolvers: [{name: dns, ip: 198.51.100.53}]
  servers:
    - name: web
      ip: 192.0.2.80
      services: [{name: nginx, protocol: tcp, port: 80, http: {"/": 200}}]
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	target, _ := tracer.ParseTarget("tcp://192.0.2.80:22")
	r, _ := w.Trace(context.Background(), "laptop", target)
	fmt.Println(r.Verdict, r.BrokenAt.Component, r.BrokenAt.Code)
	// Output: broken web PORT_CLOSED
}

// Trace the built-in world's headline request.
func ExampleWorld_Trace() {
	w, _ := simnet.LoadBuiltin(simnet.DefaultWorld)
	target, _ := tracer.ParseTarget(w.Headline())
	r, _ := w.Trace(context.Background(), "", target)
	fmt.Println(r.From, r.Verdict)
	for _, s := range r.Stages {
		fmt.Println(s.Name, s.Verdict)
	}
	// Output:
	// browser delivered
	// dns ok
	// tcp ok
	// tls ok
	// http ok
}
