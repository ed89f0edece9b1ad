"""zhixing export_facts --output DIR: the fact tables as Parquet, partitioned by province
and filing year, for DuckDB (``zhixing indicators --parquet DIR``) or Spark at national scale."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from zhixing.metrics.national import export_facts


class Command(BaseCommand):
    help = "把指标事实表导出为 Parquet（按省份和立案年度分区）"

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True)

    def handle(self, *args, **o):
        counts = export_facts(o["output"])
        for table, n in counts.items():
            self.stdout.write(f"{table}: {n} 行")
