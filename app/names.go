package app

import (
	"github.com/liangzihu/kiosk/app/i18n"
	"github.com/liangzihu/kiosk/app/utility"
)

// Utilities answer in Chinese. In Chinese the kiosk shows their words as they are; in
// English it shows the catalogue's English for what it recognises (the service by its
// code, a step by its Chinese name, the state and a tariff tier by their codes, other
// words by the glossary of Text.Term) and the utility's words otherwise.

// ServiceName is a utility's service (by its catalogue code) in the current language;
// given is the name the utility or the submission gave it.
func (k *Kiosk) ServiceName(utilityID, serviceID, given string) string {
	if k.Text.Lang() == i18n.EN {
		if svc, ok := k.Catalog().Service(utilityID, serviceID); ok && svc.Name.EN != "" {
			return svc.Name.EN
		}
	}
	return given
}

// StateName is an application's state in the current language.
func (k *Kiosk) StateName(p utility.Progress) string {
	key := "track.state." + p.State
	if (k.Text.Lang() == i18n.EN || p.StateName == "") && k.Text.Has(key) {
		return k.Text.T(key)
	}
	return p.StateName
}

// StepName is a step of an application's timeline in the current language.
func (k *Kiosk) StepName(p utility.Progress, st utility.Step) string {
	if k.Text.Lang() == i18n.EN {
		if svc, ok := k.Catalog().Service(p.Utility, p.Service); ok {
			for _, cs := range svc.Steps {
				if cs.Name.ZH == st.Name && cs.Name.EN != "" {
					return cs.Name.EN
				}
			}
		}
	}
	return st.Name
}

// TierName is a tier of a tiered tariff on a bill in the current language: in English
// "Tier 2" from its number, in Chinese the utility's own name (第二档).
func (k *Kiosk) TierName(t utility.TierLine) string {
	if (k.Text.Lang() == i18n.EN || t.Name == "") && t.Tier > 0 {
		return k.Text.T("bills.tier_n", t.Tier)
	}
	return k.Text.Term(t.Name)
}
