package utilitysim

import (
	"fmt"

	"github.com/liangzihu/kiosk/app/utility"
)

// tier is one step of a tiered residential tariff: usage up to Upto (thousandths of the
// unit; 0 = no limit) is charged at Price.
type tier struct {
	Upto  utility.Quantity
	Price utility.Price
}

// tariff is a utility's residential tariff, per month.
type tariff struct {
	Unit  string
	Tiers []tier
	// PerUnitFees are charged on all usage (污水处理费); Monthly is a flat fee (月租).
	PerUnitFees []perUnitFee
	Monthly     []utility.FeeLine
}

type perUnitFee struct {
	Name  string
	Price utility.Price
}

var tierNames = []string{"第一档", "第二档", "第三档"}

// Residential tariffs of the simulated district. Electricity follows the national
// three-tier rule (+0.05 and +0.30 ¥/kWh), water 1 : 1.5 : 3 and gas 1 : 1.2 : 1.5.
// Units are in Chinese, as the utilities' bills print them (the glossary has their
// English).
var tariffs = map[string]tariff{
	utility.Electricity: {Unit: "千瓦时", Tiers: []tier{{180000, 5580}, {400000, 6080}, {0, 8580}}},
	utility.Water: {Unit: "立方米", Tiers: []tier{{15000, 24000}, {25000, 36000}, {0, 72000}},
		PerUnitFees: []perUnitFee{{"污水处理费", 9500}}},
	utility.Gas:       {Unit: "立方米", Tiers: []tier{{20000, 28800}, {30000, 34560}, {0, 43200}}},
	utility.Broadband: {Unit: "月", Monthly: []utility.FeeLine{{Name: "500M 宽带月租费", Cost: 9900}}},
}

// nonResidentialPower is the flat 一般工商业 price.
const nonResidentialPower utility.Price = 6800

// charge computes a period's tier lines, fee lines and total.
func (t tariff) charge(usage utility.Quantity) ([]utility.TierLine, []utility.FeeLine, utility.Fen) {
	var lines []utility.TierLine
	var total utility.Fen
	var from utility.Quantity
	for i, tr := range t.Tiers {
		if usage <= from && i > 0 {
			break
		}
		part := usage - from
		if tr.Upto != 0 && usage > tr.Upto {
			part = tr.Upto - from
		}
		rng := fmt.Sprintf("%s %s以上", from, t.Unit)
		if tr.Upto != 0 {
			rng = fmt.Sprintf("%s–%s %s", from, tr.Upto, t.Unit)
		}
		c := utility.Cost(part, tr.Price)
		lines = append(lines, utility.TierLine{Tier: i + 1, Name: tierNames[i], Range: rng, Usage: part, Price: tr.Price, Cost: c})
		total += c
		if tr.Upto == 0 || usage <= tr.Upto {
			break
		}
		from = tr.Upto
	}
	var fees []utility.FeeLine
	for _, f := range t.PerUnitFees {
		c := utility.Cost(usage, f.Price)
		fees = append(fees, utility.FeeLine{Name: f.Name, Cost: c})
		total += c
	}
	for _, f := range t.Monthly {
		fees = append(fees, f)
		total += f.Cost
	}
	return lines, fees, total
}

// gridCarbon is grams of CO₂ per kWh (China's average grid emission factor, 0.5703 t/MWh).
const gridCarbon = 570.3

// efficiency builds the 能效账单 detail of an electricity bill.
func efficiency(usage, lastMonth, lastYear, neighbours utility.Quantity) *utility.Efficiency {
	peak := usage * 58 / 100
	ratio := float64(usage) / float64(max(neighbours, 1))
	grade := "E"
	for i, limit := range []float64{0.8, 1.0, 1.2, 1.5} {
		if ratio < limit {
			grade = string(rune('A' + i))
			break
		}
	}
	tips := []string{"空调设定在26℃以上，每调高1℃约省电7%。", "热水器、洗衣机尽量在谷时段（22:00–次日8:00）使用。"}
	if ratio > 1 {
		tips = append(tips, "本月用电高于周边同类家庭平均水平，建议检查大功率电器的待机耗电。")
	}
	return &utility.Efficiency{
		PeakUsage: peak, ValleyUsage: usage - peak,
		LastMonth: lastMonth, LastYear: lastYear, Neighbours: neighbours,
		CarbonGrams: int64(float64(usage) / 1000 * gridCarbon),
		Grade:       grade, Tips: tips,
	}
}
