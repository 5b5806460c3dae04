// Command loadgen drives a KMS endpoint (the guarded-keys emulator, local-kms, moto) with aws-sdk-go-v2 clients
// from one process, so the load generator is not the bottleneck (the Node SDK clients of the old bench were), and
// reports throughput, latency percentiles and, given the server's pid, the server's own CPU time per request read
// from /proc. Prints one JSON object.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"
)

type result struct {
	Op               string  `json:"op"`
	Clients          int     `json:"clients"`
	Count            int64   `json:"count"`
	Errors           int64   `json:"errors"`
	FirstError       string  `json:"firstError,omitempty"`
	Seconds          float64 `json:"seconds"`
	RPS              float64 `json:"rps"`
	P50Ms            float64 `json:"p50Ms"`
	P99Ms            float64 `json:"p99Ms"`
	ServerCPUSeconds float64 `json:"serverCpuSeconds"`
	ServerCPUMicros  float64 `json:"serverCpuMicrosPerRequest"`
	// The generator's own CPU per request: with the server's, where the machine's two cores go.
	LoadgenCPUMicros float64 `json:"loadgenCpuMicrosPerRequest"`
	SeededKeys       int     `json:"seededKeys"`
}

// cpuSeconds reads utime+stime of a process from /proc/<pid>/stat (clock ticks at 100 Hz).
func cpuSeconds(pid int) float64 {
	if pid <= 0 {
		return 0
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	text := string(data)
	fields := strings.Fields(text[strings.LastIndex(text, ")")+2:])
	utime, _ := strconv.ParseFloat(fields[11], 64)
	stime, _ := strconv.ParseFloat(fields[12], 64)
	return (utime + stime) / 100
}

func main() {
	endpoint := flag.String("endpoint", "http://127.0.0.1:4599", "KMS endpoint")
	op := flag.String("op", "Encrypt", "Encrypt, Decrypt (without KeyId), GenerateDataKey, DescribeKey or CreateKey")
	clients := flag.Int("clients", 16, "concurrent clients")
	duration := flag.Duration("duration", 3*time.Second, "measurement time")
	warmup := flag.Duration("warmup", 300*time.Millisecond, "time before measuring")
	region := flag.String("region", "us-east-1", "region")
	ak := flag.String("ak", "AKIAEMULATORDEFAULT", "access key id")
	sk := flag.String("sk", "emulator-secret", "secret access key")
	pid := flag.Int("server-pid", 0, "server process id (for CPU per request)")
	seed := flag.Int("seed-keys", 0, "create this many extra keys before measuring")
	keyID := flag.String("key-id", "", "key to use (default: a new one)")
	flag.Parse()

	transport := &http.Transport{
		MaxIdleConns: *clients * 2, MaxIdleConnsPerHost: *clients * 2, IdleConnTimeout: time.Minute,
		DialContext: (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	}
	client := kms.New(kms.Options{
		Region:           *region,
		BaseEndpoint:     aws.String(*endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider(*ak, *sk, ""),
		HTTPClient:       &http.Client{Transport: transport},
		RetryMaxAttempts: 1,
	})
	ctx := context.Background()
	fail := func(what string, err error) {
		fmt.Fprintf(os.Stderr, "loadgen: %s: %v\n", what, err)
		os.Exit(1)
	}

	runParallel(*seed, *clients, func() error {
		_, err := client.CreateKey(ctx, &kms.CreateKeyInput{})
		return err
	})
	key := *keyID
	if key == "" {
		out, err := client.CreateKey(ctx, &kms.CreateKeyInput{})
		if err != nil {
			fail("CreateKey", err)
		}
		key = *out.KeyMetadata.KeyId
	}
	plaintext := make([]byte, 64)
	enc, err := client.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(key), Plaintext: plaintext})
	if err != nil {
		fail("Encrypt", err)
	}
	blob := enc.CiphertextBlob
	call := map[string]func() error{
		"Encrypt": func() error {
			_, err := client.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(key), Plaintext: plaintext})
			return err
		},
		"Decrypt": func() error {
			_, err := client.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob})
			return err
		},
		"GenerateDataKey": func() error {
			_, err := client.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(key), NumberOfBytes: aws.Int32(32)})
			return err
		},
		"DescribeKey": func() error {
			_, err := client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(key)})
			return err
		},
		"CreateKey": func() error {
			_, err := client.CreateKey(ctx, &kms.CreateKeyInput{})
			return err
		},
	}[*op]
	if call == nil {
		fail("op", errors.New("unknown operation "+*op))
	}

	var stop atomic.Bool
	var measuring atomic.Bool
	var count, errs atomic.Int64
	var firstErr atomic.Value
	latencies := make([][]float64, *clients)
	var wg sync.WaitGroup
	for i := 0; i < *clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for !stop.Load() {
				start := time.Now()
				err := call()
				if !measuring.Load() {
					continue
				}
				if err != nil {
					errs.Add(1)
					var apiErr smithy.APIError
					if errors.As(err, &apiErr) {
						firstErr.CompareAndSwap(nil, apiErr.ErrorCode()+": "+apiErr.ErrorMessage())
					} else {
						firstErr.CompareAndSwap(nil, err.Error())
					}
					continue
				}
				count.Add(1)
				latencies[i] = append(latencies[i], float64(time.Since(start).Microseconds())/1000)
			}
		}(i)
	}
	time.Sleep(*warmup)
	cpuBefore := cpuSeconds(*pid)
	selfBefore := cpuSeconds(os.Getpid())
	began := time.Now()
	measuring.Store(true)
	time.Sleep(*duration)
	measuring.Store(false)
	elapsed := time.Since(began).Seconds()
	cpuAfter := cpuSeconds(*pid)
	selfAfter := cpuSeconds(os.Getpid())
	stop.Store(true)
	wg.Wait()

	var all []float64
	for _, l := range latencies {
		all = append(all, l...)
	}
	sort.Float64s(all)
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		i := int(float64(len(all)) * p)
		if i >= len(all) {
			i = len(all) - 1
		}
		return all[i]
	}
	r := result{
		Op: *op, Clients: *clients, Count: count.Load(), Errors: errs.Load(), Seconds: elapsed,
		RPS: float64(count.Load()) / elapsed, P50Ms: pct(0.5), P99Ms: pct(0.99), SeededKeys: *seed,
		ServerCPUSeconds: cpuAfter - cpuBefore,
	}
	if r.Count > 0 {
		r.ServerCPUMicros = r.ServerCPUSeconds / float64(r.Count) * 1e6
		r.LoadgenCPUMicros = (selfAfter - selfBefore) / float64(r.Count) * 1e6
	}
	if e, ok := firstErr.Load().(string); ok {
		r.FirstError = e
	}
	json.NewEncoder(os.Stdout).Encode(r)
}

// runParallel calls fn n times over `workers` goroutines; the first error ends the program.
func runParallel(n, workers int, fn func() error) {
	if n <= 0 {
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				if err := fn(); err != nil {
					fmt.Fprintf(os.Stderr, "loadgen: seeding: %v\n", err)
					os.Exit(1)
				}
			}
		}()
	}
	wg.Wait()
}
