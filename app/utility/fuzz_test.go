package utility

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// FuzzDecodeResponse feeds arbitrary statuses and bodies to every answer type: decoding
// must never panic, and every failure must be a classified *Error.
func FuzzDecodeResponse(f *testing.F) {
	f.Add(200, []byte(`{"reference":"A1","status":"pending","amount_fen":100}`))
	f.Add(200, []byte(`{"accounts":[{"number":"3101234567","balance_fen":-1}]}`))
	f.Add(200, []byte(`{"bills":[{"id":"B1","tiers":[{"tier":1,"usage_milli":1e3}],"efficiency":{"grade":"A"}}]}`))
	f.Add(422, []byte(`{"error":{"code":"validation","message":"联系电话格式不正确","field":"applicant.phone"}}`))
	f.Add(409, []byte(`{"error":{"code":"unpaid_bills","amount_fen":"x"}}`))
	f.Add(503, []byte{})
	f.Add(200, []byte(`{"kind":"payment","status":200,"response":{"reference":"P"}}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		targets := []any{&Payment{}, &Acceptance{}, &Progress{}, &EvaluationReceipt{}, &Account{}, &Bill{},
			&accountList{}, &billList{}, &progressList{}, &submissionRecord{}, &reference{}, &json.RawMessage{}}
		for _, out := range targets {
			err := DecodeResponse(status, body, 4096, out)
			if err == nil {
				continue
			}
			var e *Error
			if !errors.As(err, &e) || e.Kind == nil {
				t.Fatalf("unclassified error %v", err)
			}
			if Problem(err) == ProblemOther {
				t.Fatalf("an answer's error %v is not a problem a citizen can be told about", err)
			}
			_ = Own(err)
			if len([]rune(e.Message)) > maxMessage+1 {
				t.Fatalf("message of %d runes", len([]rune(e.Message)))
			}
		}
		if status >= 200 && status < 300 {
			if a, err := (&HTTPClient{o: Options{MaxResponse: 4096}}).answerOf("fuzz", KindPayment, asked{KioskRef: "K1"}, body); err == nil {
				_, _ = a.Payment()
			}
		}
	})
}

// FuzzParseBillQR feeds arbitrary scanner lines to the bill QR parser: it must never
// panic, and what it accepts must format back to the same code.
func FuzzParseBillQR(f *testing.F) {
	f.Add("UBILL:1:electricity:3100001001:E-202605")
	f.Add("UBILL:1:water:42001001")
	f.Add("UBILL:1:gas:660001001:")
	f.Add("https://pay.example.cn/r/K260612000001")
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseBillQR(s)
		if err != nil {
			return
		}
		if got := FormatBillQR(q.Utility, q.Account, q.Bill); got != strings.TrimSpace(s) {
			t.Fatalf("%q parsed to %+v, formats back to %q", s, q, got)
		}
	})
}

// FuzzParseEndpoint feeds arbitrary files to the endpoint parser (they come in bundles):
// it must never panic, and what it takes must be a URL a client can be made with.
func FuzzParseEndpoint(f *testing.F) {
	f.Add([]byte("utility = \"gas\"\nbase_url = \"https://api.gas.example.cn/kiosk/v1\"\ntimeout = \"8s\"\n"))
	f.Add([]byte("utility = \"water\"\nbase_url = \"http://[::1]:8080/v1\"\n"))
	f.Add([]byte("utility = \"gas\"\nbase_url = \"https://a.example.cn\"\ntimeout = \"-1s\"\n[x]\n"))
	c, err := NewHTTP(Options{Utility: Gas, BaseURL: "http://127.0.0.1:1/v1", KioskID: "K", Secret: DemoSecret(Gas)})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, e, err := ParseEndpoint(data, "endpoint.toml")
		if err != nil {
			return
		}
		if err := c.UseEndpoint(&e); err != nil {
			t.Fatalf("ParseEndpoint took %+v, the client refuses it: %v", e, err)
		}
	})
}
