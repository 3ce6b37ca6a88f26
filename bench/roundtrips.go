package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"
)

// counter is a TCP proxy in front of the server that counts round trips:
// every time a client starts sending after the server has sent (or for the
// first time on a connection) is one round trip. Pipelined messages sent
// before the answer comes back count once, as they cost one wait.
type counter struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	trips int64
	conns int64
	wg    sync.WaitGroup
}

func newCounter(target string) (*counter, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	c := &counter{ln: ln, target: target}
	go c.serve()
	return c, nil
}

func (c *counter) addr() string { return c.ln.Addr().String() }

func (c *counter) close() { c.ln.Close(); c.wg.Wait() }

func (c *counter) reset() (trips, conns int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	trips, conns = c.trips, c.conns
	c.trips, c.conns = 0, 0
	return trips, conns
}

func (c *counter) serve() {
	for {
		client, err := c.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", c.target)
		if err != nil {
			client.Close()
			continue
		}
		c.mu.Lock()
		c.conns++
		c.mu.Unlock()
		var mu sync.Mutex
		serverSpoke := true // the first client message is a round trip
		c.wg.Add(2)
		go func() { // client -> server
			defer c.wg.Done()
			pump(server, client, func() {
				mu.Lock()
				if serverSpoke {
					c.mu.Lock()
					c.trips++
					c.mu.Unlock()
					serverSpoke = false
				}
				mu.Unlock()
			})
			server.(*net.TCPConn).CloseWrite()
		}()
		go func() { // server -> client
			defer c.wg.Done()
			pump(client, server, func() {
				mu.Lock()
				serverSpoke = true
				mu.Unlock()
			})
			client.Close()
			server.Close()
		}()
	}
}

// pump copies src to dst until either side fails, calling seen before it
// passes each chunk on.
func pump(dst, src net.Conn, seen func()) {
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			seen()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// serverSyncs reads a server-wide counter of log syncs (PostgreSQL:
// pg_stat_wal.wal_sync; MySQL: Innodb_os_log_fsyncs; MariaDB:
// Innodb_data_fsyncs).
// They are global: other clients of the server add to them.
func serverSyncs(ctx context.Context, srv *server) (int64, error) {
	var n int64
	if srv.engine == "postgres" {
		err := srv.admin.QueryRowContext(ctx, `SELECT wal_sync FROM pg_stat_wal`).Scan(&n)
		return n, err
	}
	// MySQL counts log fsyncs apart; MariaDB 10.5+ dropped that counter and
	// counts them with the data files' (one per commit on a quiet server).
	rows, err := srv.admin.QueryContext(ctx, `SHOW GLOBAL STATUS WHERE variable_name IN ('Innodb_os_log_fsyncs', 'Innodb_data_fsyncs')`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	found := false
	for rows.Next() {
		var name string
		var v int64
		if err := rows.Scan(&name, &v); err != nil {
			return 0, err
		}
		if strings.EqualFold(name, "Innodb_os_log_fsyncs") || !found {
			n, found = v, true
		}
	}
	return n, rows.Err()
}

type counted struct {
	trips, conns, syncs int64
}

// countRoundTrips runs each tool once on the full folder and once on a
// folder of one file, both through the proxy (untimed), and prints round
// trips, connections and log syncs per file (the difference of the two
// runs divided by files-1) and the fixed cost.
func countRoundTrips(ctx context.Context, c *config, srv *server, reg *registry, dir string) error {
	if c.files < 2 {
		return errors.New("-roundtrips needs -files 2 or more")
	}
	target, err := srv.serverAddr()
	if err != nil {
		return err
	}
	px, err := newCounter(target)
	if err != nil {
		return err
	}
	defer px.close()
	one, err := writeProject(1, c.statements)
	if err != nil {
		return err
	}
	defer os.RemoveAll(one)

	measure := func(folder string, ferry bool) (counted, error) {
		px.reset()
		before, err := serverSyncs(ctx, srv)
		if err != nil {
			return counted{}, err
		}
		cc := *c
		if folder == one {
			cc.files = 1
		}
		if ferry {
			_, _, _, err = ferryRound(ctx, &cc, srv, reg, folder, px.addr(), "")
		} else {
			_, err = gmRound(ctx, &cc, srv, reg, folder, px.addr())
		}
		if err != nil {
			return counted{}, err
		}
		time.Sleep(700 * time.Millisecond) // PostgreSQL backends flush their statistics as they exit
		after, err := serverSyncs(ctx, srv)
		if err != nil {
			return counted{}, err
		}
		// The harness's own CREATE/DROP DATABASE and checks run on the admin
		// handle, not through the proxy; their syncs are in the server counter
		// for both runs alike and cancel out in the per-file difference.
		trips, conns := px.reset()
		return counted{trips: trips, conns: conns, syncs: after - before}, nil
	}
	fmt.Printf("  round trips (through a counting proxy, untimed; syncs are server-wide log fsyncs):\n")
	for _, tool := range []string{"golang-migrate", "ferry"} {
		isFerry := tool == "ferry"
		full, err := measure(dir, isFerry)
		if err != nil {
			return fmt.Errorf("%s: %w", tool, err)
		}
		small, err := measure(one, isFerry)
		if err != nil {
			return fmt.Errorf("%s: %w", tool, err)
		}
		n := float64(c.files - 1)
		perTrip := float64(full.trips-small.trips) / n
		perSync := float64(full.syncs-small.syncs) / n
		fmt.Printf("    %-14s %7.2f round trips/file, %6.2f log syncs/file; fixed: %.0f round trips over %d connection(s); total %d round trips, %d syncs\n",
			tool, perTrip, perSync, float64(small.trips)-perTrip, full.conns, full.trips, full.syncs)
	}
	return nil
}
