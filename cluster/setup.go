package cluster

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Defaults of Storage.
const (
	// DefaultNodeTTL is how long a node's heartbeat lives in BucketNodes:
	// a node silent for longer is lost. Agents beat every third of it.
	DefaultNodeTTL = 15 * time.Second
	// DefaultLogMaxBytes bounds the stream GOPROCESS: the oldest output
	// lines and events go first beyond 256 MiB.
	DefaultLogMaxBytes = 256 << 20
	// DefaultLogMaxAge bounds the stream GOPROCESS in time: lines and
	// events older than a day are removed.
	DefaultLogMaxAge = 24 * time.Hour
	// maxReplicas caps the default replica count.
	maxReplicas = 3
)

// Storage says how the buckets and the stream are made when they do not
// exist yet; existing ones are used as they are.
type Storage struct {
	// Replicas is each bucket's and the stream's replica count; zero
	// means DefaultReplicas of the connection.
	Replicas int
	// NodeTTL is BucketNodes' TTL; zero means DefaultNodeTTL.
	NodeTTL time.Duration
	// LogMaxBytes and LogMaxAge bound the stream; zero means
	// DefaultLogMaxBytes and DefaultLogMaxAge.
	LogMaxBytes int64
	LogMaxAge   time.Duration
}

// DefaultReplicas is the servers nc knows of, at most 3.
func DefaultReplicas(nc *nats.Conn) int {
	return max(1, min(maxReplicas, len(nc.Servers())))
}

// Store is go-process's state in NATS: the three buckets and the stream.
type Store struct {
	NC        *nats.Conn          // the connection it was opened over
	JS        jetstream.JetStream // JetStream over NC
	DesiredKV jetstream.KeyValue  // BucketDesired
	StateKV   jetstream.KeyValue  // BucketState
	NodesKV   jetstream.KeyValue  // BucketNodes
	Stream    jetstream.Stream    // Stream
}

// Open binds to the buckets and the stream over nc, making those that do
// not exist as st says.
func Open(ctx context.Context, nc *nats.Conn, st Storage) (*Store, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("cluster: jetstream: %w", err)
	}
	if st.Replicas == 0 {
		st.Replicas = DefaultReplicas(nc)
	}
	if st.NodeTTL == 0 {
		st.NodeTTL = DefaultNodeTTL
	}
	if st.LogMaxBytes == 0 {
		st.LogMaxBytes = DefaultLogMaxBytes
	}
	if st.LogMaxAge == 0 {
		st.LogMaxAge = DefaultLogMaxAge
	}
	s := &Store{NC: nc, JS: js}
	if s.DesiredKV, err = bucket(ctx, js, jetstream.KeyValueConfig{Bucket: BucketDesired, Replicas: st.Replicas}); err != nil {
		return nil, err
	}
	if s.StateKV, err = bucket(ctx, js, jetstream.KeyValueConfig{Bucket: BucketState, Replicas: st.Replicas}); err != nil {
		return nil, err
	}
	if s.NodesKV, err = bucket(ctx, js, jetstream.KeyValueConfig{Bucket: BucketNodes, Replicas: st.Replicas, TTL: st.NodeTTL}); err != nil {
		return nil, err
	}
	if s.Stream, err = stream(ctx, js, jetstream.StreamConfig{
		Name:      Stream,
		Subjects:  []string{"goprocess.log.>", "goprocess.event.>"},
		Replicas:  st.Replicas,
		MaxBytes:  st.LogMaxBytes,
		MaxAge:    st.LogMaxAge,
		Discard:   jetstream.DiscardOld,
		Storage:   jetstream.FileStorage,
		Retention: jetstream.LimitsPolicy,
	}); err != nil {
		return nil, err
	}
	return s, nil
}

// bucket binds to the bucket cfg names, making it if need be.
func bucket(ctx context.Context, js jetstream.JetStream, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	kv, err := js.KeyValue(ctx, cfg.Bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		kv, err = js.CreateKeyValue(ctx, cfg)
		if errors.Is(err, jetstream.ErrBucketExists) {
			kv, err = js.KeyValue(ctx, cfg.Bucket)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("cluster: bucket %s: %w", cfg.Bucket, err)
	}
	return kv, nil
}

// stream binds to the stream cfg names, making it if need be.
func stream(ctx context.Context, js jetstream.JetStream, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	s, err := js.Stream(ctx, cfg.Name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		s, err = js.CreateStream(ctx, cfg)
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			s, err = js.Stream(ctx, cfg.Name)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("cluster: stream %s: %w", cfg.Name, err)
	}
	return s, nil
}

// NodeTTL returns the TTL of BucketNodes: how long a silent node stays
// alive.
func (s *Store) NodeTTL(ctx context.Context) (time.Duration, error) {
	status, err := s.NodesKV.Status(ctx)
	if err != nil {
		return 0, fmt.Errorf("cluster: bucket %s: %w", BucketNodes, err)
	}
	return status.TTL(), nil
}
