package info

import "testing"

func BenchmarkDefault(b *testing.B) {
	for b.Loop() {
		if _, err := Default(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDocument(b *testing.B) {
	s, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	e, _ := s.Utility("electricity")
	for b.Loop() {
		e.Document(now)
	}
}
