from django.core.management.base import BaseCommand

from shequ.archives.services import verify_files


class Command(BaseCommand):
    help = "重新检测电子档案（SHA-256 固定性、格式、著录、可读），未通过的通知档案员。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit", type=int, default=None, help="最多检测多少个文件（最久未检测的先检测）"
        )
        parser.add_argument(
            "--older-than-hours", type=int, default=0, help="只检测超过这么多小时未检测的文件"
        )

    def handle(self, *args, limit=None, older_than_hours=0, **options):
        out = verify_files(limit=limit, older_than_hours=older_than_hours)
        self.stdout.write(f"已检测 {out['checked']} 个文件，未通过 {out['failed']} 个。")
