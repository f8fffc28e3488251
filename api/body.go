package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// maxBodyBytes bounds a request body.
const maxBodyBytes = 1 << 20

// readObject decodes r's body as one JSON object. An empty body is an
// empty object. When known is not nil, a field not in it is refused,
// naming the field; with known nil every field is returned, for an action
// that refuses unknown options itself. Numbers decode as float64, which
// the actions accept for whole numbers.
func readObject(w http.ResponseWriter, r *http.Request, known []string) (map[string]any, error) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, fmt.Errorf("api: request body: larger than %d bytes", tooBig.Limit)
		}
		return nil, fmt.Errorf("api: request body: %w", err)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	var fields map[string]any
	if err := dec.Decode(&fields); err != nil {
		return nil, fmt.Errorf("api: request body: want a JSON object: %w", err)
	}
	if fields == nil {
		return nil, errors.New("api: request body: want a JSON object, got null")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("api: request body: want one JSON object, got more after it")
	}
	if known != nil {
		for _, key := range sortedKeys(fields) {
			if !slices.Contains(known, key) {
				if len(known) == 0 {
					return nil, fmt.Errorf("api: request body: unknown field %q (this request takes no fields)", key)
				}
				return nil, fmt.Errorf("api: request body: unknown field %q (known fields: %s)", key, strings.Join(known, ", "))
			}
		}
	}
	return fields, nil
}

// sortedKeys returns the keys of m in order, so that the first unknown
// one reported is always the same.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// queryFlag reads an optional boolean query parameter: "1", "true", "0",
// "false" (as strconv.ParseBool reads them); absent is false, and present
// without a value ("?follow") is true.
func queryFlag(r *http.Request, key string) (bool, error) {
	q := r.URL.Query()
	v := q.Get(key)
	if v == "" {
		return q.Has(key), nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("api: query parameter %q: want 1 or 0 (true or false), got %q", key, v)
	}
	return b, nil
}
