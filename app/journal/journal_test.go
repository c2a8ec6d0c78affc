package journal

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/clock"
	"github.com/liangzihu/kiosk/app/store"
)

func TestAppendAndQuery(t *testing.T) {
	dir := t.TempDir()
	s, err := store.Open(store.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 6, 12, 9, 0, 0, 0, time.UTC)
	c := clock.NewManual(t0)
	j := New(s, c)
	subj := j.Subject("id", "11010519491231002X")
	events := []Event{
		{Kind: SessionStart, Session: "s1", Subject: subj},
		{Kind: RequestSubmitted, Ref: "K1", Utility: "water", Session: "s1", Detail: "申请人电话 13800001234 身份证 11010519491231002X"},
		{Kind: RequestAnswered, Ref: "K1", UtilityRef: "WA-1"},
		{Kind: SessionEnd, Session: "s1"},
		{Kind: StaffClose, Ref: "K2", Actor: "staff1", Detail: "重复提交"},
	}
	for _, e := range events {
		if err := j.Record(e); err != nil {
			t.Fatal(err)
		}
		c.Advance(time.Minute)
	}
	tests := []struct {
		name     string
		from, to time.Time
		limit    int
		want     []Kind
	}{
		{"all", t0, t0.Add(time.Hour), 0, []Kind{SessionStart, RequestSubmitted, RequestAnswered, SessionEnd, StaffClose}},
		{"window", t0.Add(time.Minute), t0.Add(3 * time.Minute), 0, []Kind{RequestSubmitted, RequestAnswered}},
		{"limit", t0, t0.Add(time.Hour), 2, []Kind{SessionStart, RequestSubmitted}},
		{"empty", t0.Add(-time.Hour), t0, 0, nil},
	}
	for _, tt := range tests {
		got, err := j.Range(tt.from, tt.to, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(tt.want) {
			t.Fatalf("%s: %d events, want %d", tt.name, len(got), len(tt.want))
		}
		for i := range got {
			if got[i].Kind != tt.want[i] {
				t.Errorf("%s: event %d is %s, want %s", tt.name, i, got[i].Kind, tt.want[i])
			}
		}
	}
	for ref, n := range map[string]int{"K1": 2, "WA-1": 1, "K2": 1, "K": 0} {
		got, err := j.ByRef(ref)
		if err != nil || len(got) != n {
			t.Errorf("ByRef(%s): %d events, %v; want %d", ref, len(got), err, n)
		}
	}
	s.Close()
	raw, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"11010519491231002X", "13800001234"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("the journal stored %s in plain text", secret)
		}
	}
}
