package outbox

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/liangzihu/kiosk/app/utility"
)

// A utility's refusal that quotes the applicant (name, ID number, phone, the address or
// its household part, the property certificate) reaches the citizen's screen and
// receipt, whoever tracks the request, and staff, masked: in the answer to the
// submission and as the dead letter keeps it.
func TestRefusalQuotingTheCitizenIsMasked(t *testing.T) {
	const quote = "申请人陈建国（420702197007070054，13912345678）在金域花园1栋1单元101室已有在办申请；" +
		"不动产权证号88776655与梁子湖区太和镇正街社区金域花园1栋1单元101室不符"
	f := &scripted{forward: func(s utility.Submission, n int) (utility.Answer, error) {
		return utility.Answer{}, &utility.Error{Kind: utility.ErrRejected, Status: 422, Code: utility.CodeValidation, Message: quote}
	}}
	e := newEnv(t, Options{}, f)
	e.ob.Start(context.Background())
	r := Request{Utility: utility.Water, Kind: utility.KindTransfer, Order: "42001002", Session: "s1",
		Body: utility.Transfer{Account: "42001002", PropertyCert: "88776655", Address: "梁子湖区太和镇正街社区金域花园1栋1单元101室",
			NewHolder: utility.Contact{Name: "陈建国", IDNumber: "420702197007070054", Phone: "13912345678"}}}
	res, err := e.ob.Submit(context.Background(), r, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	dead, err := e.ob.DeadLetters()
	if err != nil || len(dead) != 1 {
		t.Fatalf("dead letters %+v, %v", dead, err)
	}
	want := "申请人陈**（420702********0054，139****5678）在*************已有在办申请；" +
		"不动产权证号88****55与梁子湖区太和" + "******************" + "不符"
	for name, got := range map[string]string{"the answer": utility.Own(res.Err), "the dead letter": utility.Own(dead[0].Err)} {
		if got != want {
			t.Errorf("%s says %q, want %q", name, got, want)
		}
		for _, whole := range []string{"陈建国", "19700707", "12345678", "88776655", "1栋1单元101"} {
			if strings.Contains(got, whole) {
				t.Errorf("%s quotes %q", name, whole)
			}
		}
	}
}

// A refusal that quotes nothing of the citizen keeps its words.
func TestRefusalWithoutPersonalDataKept(t *testing.T) {
	err := &utility.Error{Kind: utility.ErrRejected, Message: "该地址暂不具备通气条件"}
	for _, body := range []string{`{"applicant":{"name":"陈建国"},"address":"梁子湖区太和镇建设路9号"}`, "not json"} {
		if got := utility.Own(MaskOwnWords(err, []byte(body))); got != "该地址暂不具备通气条件" {
			t.Errorf("changed to %q", got)
		}
	}
}

// The masked words are a copy: the utility's error, which a scripted utility may give
// two requests at once, is left as it is.
func TestMaskedWordsACopy(t *testing.T) {
	err := &utility.Error{Kind: utility.ErrRejected, Message: "申请人陈建国已有在办申请"}
	masked := MaskOwnWords(err, []byte(`{"applicant":{"name":"陈建国"}}`))
	if got := utility.Own(masked); got != "申请人陈**已有在办申请" {
		t.Errorf("masked %q", got)
	}
	if err.Message != "申请人陈建国已有在办申请" {
		t.Errorf("the given error changed to %q", err.Message)
	}
}
