package queue

import (
	"context"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Claim records in Redis that deployment's queues belong to the database named database (its
// identity, storage.Records.Identity), and returns the identity that held them before when it was
// another one: two deployments configured with one name, or a database made afresh against an old
// Redis. The caller warns; the tasks already queued for documents the database does not know are
// then refused loudly by the workers.
func Claim(ctx context.Context, rdb redis.UniversalClient, deployment, database string) (previous string, err error) {
	key := "sohoa:deployment:" + deployment + ":database"
	prev, err := rdb.SetArgs(ctx, key, database, redis.SetArgs{Get: true}).Result()
	if err == redis.Nil {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("claim queues of deployment %q: %w", deployment, err)
	}
	if prev == database {
		return "", nil
	}
	return prev, nil
}

// OfDeployment reports whether the Asynq queue name is one of deployment's: NamesOf names every
// queue deployment:…, whatever the queues are (a test checks), and a deployment's name holds no ':'
// (config), so the metrics can pick a deployment's queues out of a shared Redis without knowing them.
func OfDeployment(deployment, name string) bool {
	return strings.HasPrefix(name, deployment+":")
}
