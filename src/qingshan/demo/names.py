"""Names for the demo's companies and projects, made from real Chongqing place names
(:mod:`qingshan.reference.towns`) and the words each trade uses in its company names.

The companies are invented: a name is a place, a trade name and the trade's words, such as
重庆武隆白马林业开发有限公司. Any likeness to a real company is a coincidence. Every name is
unique: a name already used is never handed out again.
"""

from __future__ import annotations

import random

from qingshan.reference.chongqing import District
from qingshan.reference.towns import TOWNS, short

# two-character trade names (字号) of the kind Chongqing companies use; invented
BRANDS = ("渝丰", "江源", "峡光", "山晖", "嘉阳", "巴岳", "青垣", "云岭", "金佛", "缙云", "武陵",
          "大巴", "华蓥", "明月", "长江", "嘉陵", "乌江", "涪州", "万盛", "永兴", "瑞丰", "鼎盛",
          "恒通", "宏图", "天府", "三峡", "南山", "北岸", "朝天", "龙腾", "鸿运", "兴渝", "碧水",
          "翠屏", "黔阳", "綦丰", "铜鑫", "荣盛", "璧泉", "潼源")

# by role: the words after the place and brand, as companies of that trade are named
TRADES: dict[str, tuple[str, ...]] = {
    "forestry": ("林业开发有限公司", "林业投资有限公司", "生态林业有限责任公司", "林场经营有限公司",
                 "森林资源开发有限公司"),
    "pv": ("新能源有限公司", "光伏科技有限公司", "绿色能源有限公司", "光电科技有限公司",
           "能源发展有限公司"),
    "biogas": ("农业发展有限公司", "生态农业有限公司", "农村能源开发有限公司", "畜牧发展有限公司"),
    "compliance": ("水泥有限公司", "钢铁有限公司", "化工有限责任公司", "玻璃有限公司",
                   "铝业有限公司", "发电有限责任公司", "纸业有限公司", "陶瓷有限公司",
                   "天然气化工有限公司", "建材有限公司"),
    "neutral": ("文化旅游发展有限公司", "会展有限公司", "物流有限公司", "食品有限公司",
                "体育文化传播有限公司", "科技有限公司", "商业管理有限公司", "酒店管理有限公司",
                "数字科技有限公司", "汽车销售服务有限公司"),
    "trader": ("碳资产管理有限公司", "环境能源科技有限公司", "绿色低碳发展有限公司",
               "碳中和科技有限公司"),
}


class Namer:
    """Hands out unique names; deterministic for a given random generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self.towns_used: set[tuple[str, str]] = set()

    def _unique(self, make: list[str]) -> str:
        for name in make:
            if name not in self.used:
                self.used.add(name)
                return name
        raise ValueError("no unique name left")  # never reached with the demo's sizes

    def town(self, district: District) -> str:
        """A town of the district, each handed out once while any is left."""
        towns = TOWNS[district.code]
        fresh = [t for t in towns if (district.code, t) not in self.towns_used]
        town = self.rng.choice(fresh or list(towns))
        self.towns_used.add((district.code, town))
        return town

    def company(self, role: str, district: District, town: str) -> str:
        """重庆 + place (district, or district and town) + brand + the trade's words."""
        trades = TRADES[role]
        d, t = short(district.name_zh), short(town)
        brands = list(BRANDS)
        self.rng.shuffle(brands)
        first = self.rng.choice(trades)
        if role in ("forestry", "biogas"):
            candidates = [f"重庆{d}{t}{w}" for w in (first, *trades)]
        else:
            candidates = [f"重庆{d}{b}{first}" for b in brands[:4]]
        candidates += [f"重庆{b}{d}{w}" for b in brands for w in trades]
        return self._unique(candidates)

    def project(self, base: str) -> str:
        """A project name; a second project of the same place gets 二期 (phase two)."""
        return self._unique([base, f"{base}(二期)", f"{base}(三期)",
                             *(f"{base}({k}期)" for k in range(4, 50))])


def uscc_body(rng: random.Random) -> str:
    """Positions 9-17 less the check digit: the organisation code's body (8 digits)."""
    return f"{rng.randrange(10**7, 10**8):08d}"
