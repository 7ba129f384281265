"""Scrapy settings for gigm8's spiders. Filled in by the scrapers work (issue 5)."""

BOT_NAME = "gigm8"
SPIDER_MODULES = ["scrapers.spiders"]
NEWSPIDER_MODULE = "scrapers.spiders"
