package workdays

import "testing"

func BenchmarkDeadline(b *testing.B) {
	c, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	a := d("2026-09-24 10:00")
	for b.Loop() {
		c.Deadline(a, 32)
	}
}

func BenchmarkDefault(b *testing.B) {
	for b.Loop() {
		if _, err := Default(); err != nil {
			b.Fatal(err)
		}
	}
}
