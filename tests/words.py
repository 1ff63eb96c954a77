"""Words that give Haven's purpose away, in every UI language: never in a URL or a title."""

REVEALING = {
    "en": ["help", "abuse", "violence", "safety", "safe", "shelter", "report", "hotline",
           "police", "victim", "survivor", "domestic", "haven", "emergency"],
    "es": ["ayuda", "abuso", "maltrato", "violencia", "seguridad", "refugio", "albergue",
           "denuncia", "reporte", "informe", "línea directa", "policía", "víctima"],
    "fr": ["aide", "abus", "maltraitance", "violence", "sécurité", "refuge", "foyer",
           "signalement", "rapport", "ligne d'écoute", "police", "victime"],
    "vi": ["giúp", "trợ giúp", "lạm dụng", "bạo lực", "bạo hành", "an toàn", "nơi trú ẩn",
           "báo cáo", "tố cáo", "đường dây nóng", "cảnh sát", "nạn nhân"],
    "ar": ["مساعدة", "إساءة", "عنف", "أمان", "سلامة", "مأوى", "ملجأ", "بلاغ", "تقرير",
           "خط ساخن", "شرطة", "ضحية"],
    "zh_Hans": ["帮助", "求助", "虐待", "暴力", "安全", "庇护", "举报", "报告", "热线",
                "警察", "受害"],
}
ALL_WORDS = sorted({word for words in REVEALING.values() for word in words})


def revealing_words_in(text: str) -> list[str]:
    lowered = text.casefold()
    return [word for word in ALL_WORDS if word.casefold() in lowered]
